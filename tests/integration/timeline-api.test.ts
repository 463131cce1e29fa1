import type { WebsocketProvider } from 'y-websocket';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TimelineEntry } from '../../server/shared/api/components.ts';
import { readTimeline } from '../../server/shared/war-room-doc.ts';
import { createApiToken } from '../helpers/api-tokens.ts';
import { connectDoc, eventually } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('POST /api/incidents/:ref/timeline (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const providers: WebsocketProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.destroy();
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('adds an entry the open war room sees at once, attributed to the caller and stored durably', async () => {
    const incident = await privateIncident(cast);
    const { doc, provider } = await connectDoc(server, cast.observer.client, incident.docId);
    providers.push(provider);

    const before = Date.now();
    const added = await cast.responder.client.post(`/api/incidents/${incident.ref}/timeline`, { kind: 'action', text: '  Restarted the checkout pods  ' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const entry = TimelineEntry.parse(added.body.entry);
    expect(entry).toMatchObject({ kind: 'action', text: 'Restarted the checkout pods', author: { id: cast.responder.user.id, name: 'Rey' }, auto: false, hypothesisId: null });
    expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(before - 1000);

    await eventually(() => expect(readTimeline(doc).find((e) => e.id === entry.id)).toEqual(entry));
    const rows = await db.sql<{ user_id: string | null }>`select user_id from document_updates where doc_id = ${incident.docId}`;
    expect(rows.map((r) => r.user_id)).toContain(cast.responder.user.id);
  });

  it('backfills with `at`, stored in UTC, and sorts the entry by it', async () => {
    const incident = await declare(cast.commander);
    const added = await cast.commander.client.post(`/api/incidents/${incident.ref}/timeline`, {
      kind: 'discovery',
      text: 'Error rate started climbing',
      at: '2020-03-01T15:05:00+01:00',
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.entry.at).toBe('2020-03-01T14:05:00.000Z');
    const { doc, provider } = await connectDoc(server, cast.commander.client, incident.docId);
    providers.push(provider);
    // Earlier than the automatic "declared" entry, so it reads first.
    await eventually(() => expect(readTimeline(doc)[0]?.text).toBe('Error rate started climbing'));
  });

  it('says what is wrong with the input', async () => {
    const incident = await declare(cast.commander);
    const path = `/api/incidents/${incident.ref}/timeline`;
    const badKind = await cast.commander.client.post(path, { kind: 'gossip', text: 'x' });
    expect(badKind.status).toBe(400);
    expect(badKind.body.error).toMatchObject({ code: 'invalid_input', field: 'kind', message: expect.stringContaining('must be one of alert, discovery') });
    const empty = await cast.commander.client.post(path, { kind: 'note', text: '   ' });
    expect(empty.body.error).toMatchObject({ field: 'text', message: 'text: must not be empty' });
    const badTime = await cast.commander.client.post(path, { kind: 'note', text: 'x', at: 'yesterday' });
    expect(badTime.body.error).toMatchObject({ field: 'at' });
    const form = await cast.commander.client.request('POST', path, undefined, { 'content-type': 'text/plain' });
    expect(form.status).toBe(415);
  });

  it('lets only people with write access add: 401 anonymous, 404 outsider of a private incident, 403 observer and public outsider', async () => {
    const incident = await privateIncident(cast);
    const path = `/api/incidents/${incident.ref}/timeline`;
    const body = { kind: 'note', text: 'Should not land' };
    expect((await cast.anonymous.post(path, body)).status).toBe(401);
    expect((await cast.outsider.client.post(path, body)).status).toBe(404);
    const observer = await cast.observer.client.post(path, body);
    expect(observer.status).toBe(403);
    expect(observer.body.error.message).toMatch(/Join the incident as a responder/);
    expect((await cast.admin.client.post(path, { kind: 'note', text: 'Admins may' })).status).toBe(201);

    const open = await declare(cast.commander);
    expect((await cast.outsider.client.post(`/api/incidents/${open.ref}/timeline`, body)).status).toBe(403);
    expect((await cast.outsider.client.post('/api/incidents/INC-999999/timeline', body)).status).toBe(404);

    const { doc, provider } = await connectDoc(server, cast.commander.client, incident.docId);
    providers.push(provider);
    await eventually(() => expect(readTimeline(doc).some((e) => e.text === 'Admins may')).toBe(true));
    expect(readTimeline(doc).some((e) => e.text === 'Should not land')).toBe(false);
  });

  it('refuses a closed incident, whose war room is frozen', async () => {
    const incident = await declare(cast.commander);
    for (const state of ['resolved', 'closed']) {
      expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state })).status).toBe(200);
    }
    const refused = await cast.commander.client.post(`/api/incidents/${incident.ref}/timeline`, { kind: 'note', text: 'Too late' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'incident_closed' });
  });

  it('works with an API token that has incidents:write, as the token’s owner, and not with a read-only one', async () => {
    const incident = await declare(cast.commander);
    const path = `/api/incidents/${incident.ref}/timeline`;
    const writer = await createApiToken(server, cast.commander.client, { scopes: ['incidents:write'] });
    const added = await writer.client.post(path, { kind: 'decision', text: 'Roll back the 14:00 deploy' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.entry.author).toEqual({ id: cast.commander.user.id, name: 'Cora' });

    const reader = await createApiToken(server, cast.commander.client, { scopes: ['incidents:read'] });
    const refused = await reader.client.post(path, { kind: 'note', text: 'x' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('insufficient_scope');
  });
});
