import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_TEMPLATES } from '../../server/comms/templates.ts';
import { readDraft } from '../../server/shared/war-room-doc.ts';
import { appointCommunicator, commsCast, newKey, type Communicator } from '../helpers/comms.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('the final update after resolving (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let cami: Communicator;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    cami = await commsCast(server, cast);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const draftOf = async (docId: string, audience: string) => {
    let text: string | null = null;
    await server.collab.changeDocument(docId, null, (doc) => {
      text = readDraft(doc, audience);
    });
    return text;
  };
  const cadenceOf = async (ref: string, audience: string) =>
    (await cami.client.get(`/api/incidents/${ref}/cadence`)).body.cadence.find((c: { audience: string }) => c.audience === audience);

  it('is offered to each audience once resolved, replaces the draft once, and publishing it settles the audience', async () => {
    const incident = await declare(cast.commander, { severity: 2, title: 'Checkout errors', summary: 'Checkout failed for some customers.' });
    await appointCommunicator(cast.commander.client, incident.ref, cami.user.id);
    const final = (audience: string) => cami.client.post(`/api/incidents/${incident.ref}/drafts/final`, { audience });

    const early = await final('public');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('not_resolved');

    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'resolved' })).status).toBe(200);
    expect(await cadenceOf(incident.ref, 'public')).toMatchObject({ prompted: true, state: 'due' });
    await cast.observer.client.post(`/api/incidents/${incident.ref}/join`, { as: 'observer' });
    expect((await cast.observer.client.post(`/api/incidents/${incident.ref}/drafts/final`, { audience: 'public' })).status).toBe(403);

    const [first, second] = await Promise.all([final('public'), final('public')]);
    expect([first.body.changed, second.body.changed].sort()).toEqual([false, true]);
    expect(await draftOf(incident.docId, 'public')).toBe(FINAL_TEMPLATES.public);

    const published = await cami.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'public', body: FINAL_TEMPLATES.public, idempotencyKey: newKey() });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(published.body.update.bodyMarkdown).toMatch(/^\*\*Resolved:\*\* The issue is resolved\./);
    expect(published.body.update.bodyMarkdown).not.toMatch(/next update/i);
    expect(await cadenceOf(incident.ref, 'public')).toMatchObject({ prompted: false, state: 'ok', nextDueAt: null });
    // The other audiences still owe theirs.
    expect(await cadenceOf(incident.ref, 'leadership')).toMatchObject({ prompted: true, state: 'due' });
  });
});
