import type { WebsocketProvider } from 'y-websocket';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES } from '../../server/comms/templates.ts';
import { readDraft } from '../../server/shared/war-room-doc.ts';
import { appointCommunicator, commsCast, connectDoc, eventually, newKey, type Communicator } from '../helpers/comms.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const plus = (iso: string, minutes: number) => new Date(new Date(iso).getTime() + minutes * 60_000).toISOString();

describe.each(backends)('update cadence and templates (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let cami: Communicator;
  const providers: WebsocketProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    cami = await commsCast(server, cast);
  });
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.destroy();
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const cadenceOf = async (ref: string, audience: string) => {
    const response = await cast.responder.client.get(`/api/incidents/${ref}/cadence`);
    expect(response.status).toBe(200);
    return response.body.cadence.find((c: { audience: string }) => c.audience === audience);
  };

  it('follows the severity default, the incident override, published updates and state changes', async () => {
    const incident = await declare(cast.commander, { severity: 1 });
    await appointCommunicator(cast.commander.client, incident.ref, cami.user.id);
    expect(await cadenceOf(incident.ref, 'leadership')).toEqual({
      audience: 'leadership',
      intervalMinutes: 30,
      defaultIntervalMinutes: 30,
      overridden: false,
      lastPublishedAt: null,
      nextDueAt: plus(incident.declaredAt, 30),
      prompted: false,
      deadlineAt: plus(incident.declaredAt, 30),
      state: 'ok',
    });

    const put = (body: Record<string, unknown>) => cami.client.request('PUT', `/api/incidents/${incident.ref}/cadence`, { audience: 'leadership', ...body });
    expect((await put({ intervalMinutes: 15 })).status).toBe(200);
    expect(await cadenceOf(incident.ref, 'leadership')).toMatchObject({ intervalMinutes: 15, overridden: true, nextDueAt: plus(incident.declaredAt, 15) });
    expect(await cadenceOf(incident.ref, 'support')).toMatchObject({ intervalMinutes: 30, overridden: false });
    expect((await put({ intervalMinutes: null })).status).toBe(200);
    expect(await cadenceOf(incident.ref, 'leadership')).toMatchObject({ intervalMinutes: null, overridden: true, nextDueAt: null, state: 'ok' });
    expect((await put({ useDefault: true })).status).toBe(200);
    expect(await cadenceOf(incident.ref, 'leadership')).toMatchObject({ intervalMinutes: 30, overridden: false });

    const published = await cami.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'leadership', body: 'Next {{next_update}}', idempotencyKey: newKey() });
    const { publishedAt } = published.body.update;
    expect(await cadenceOf(incident.ref, 'leadership')).toMatchObject({ lastPublishedAt: publishedAt, nextDueAt: plus(publishedAt, 30), state: 'ok' });

    // A state change owes every audience an update, now: due, not yet overdue (nobody was late).
    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'monitoring' })).status).toBe(200);
    for (const audience of ['responders', 'support', 'leadership', 'public']) {
      expect(await cadenceOf(incident.ref, audience), audience).toMatchObject({ prompted: true, state: 'due' });
    }
    await cami.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'leadership', body: 'Monitoring', idempotencyKey: newKey() });
    expect(await cadenceOf(incident.ref, 'leadership')).toMatchObject({ prompted: false, state: 'ok' });
    expect(await cadenceOf(incident.ref, 'public')).toMatchObject({ prompted: true, state: 'due' });
  });

  it('gives SEV3 no timer until someone sets one', async () => {
    const incident = await declare(cast.commander, { severity: 3 });
    expect(await cadenceOf(incident.ref, 'public')).toMatchObject({ intervalMinutes: null, defaultIntervalMinutes: null, nextDueAt: null, state: 'ok' });
    await cast.commander.client.request('PUT', `/api/incidents/${incident.ref}/cadence`, { audience: 'public', intervalMinutes: 45 });
    expect(await cadenceOf(incident.ref, 'public')).toMatchObject({ intervalMinutes: 45, nextDueAt: plus(incident.declaredAt, 45) });
  });

  it('lets admins edit templates per audience and severity; new drafts start from the most specific one', async () => {
    const admin = cast.admin.client;
    const listed = await admin.get('/api/admin/templates');
    expect(listed.body.templates.map((t: { audience: string; custom: boolean }) => [t.audience, t.custom])).toEqual([
      ['responders', false],
      ['support', false],
      ['leadership', false],
      ['public', false],
    ]);
    expect(Object.keys(listed.body.placeholders)).toContain('next_update');

    expect((await admin.request('PUT', '/api/admin/templates', { audience: 'leadership', severity: null, body: 'Any {{title}}' })).status).toBe(200);
    const saved = await admin.request('PUT', '/api/admin/templates', { audience: 'leadership', severity: 1, body: 'SEV1 {{title}}' });
    expect(saved.status).toBe(200);
    // Saving again replaces rather than duplicates (the "any severity" row too).
    await admin.request('PUT', '/api/admin/templates', { audience: 'leadership', severity: null, body: 'Any: {{title}}' });
    const leadership = (await admin.get('/api/admin/templates')).body.templates.filter((t: { audience: string }) => t.audience === 'leadership');
    expect(leadership.map((t: { severity: number | null; body: string; custom: boolean; updatedBy: { displayName: string } }) => [t.severity, t.body, t.custom, t.updatedBy.displayName])).toEqual([
      [null, 'Any: {{title}}', true, 'Admin'],
      [1, 'SEV1 {{title}}', true, 'Admin'],
    ]);

    const sev1 = await declare(cast.commander, { severity: 1 });
    const sev2 = await declare(cast.commander, { severity: 2 });
    const one = await connectDoc(server, cast.commander.client, sev1.docId);
    const two = await connectDoc(server, cast.commander.client, sev2.docId);
    providers.push(one.provider, two.provider);
    await eventually(() => {
      expect(readDraft(one.doc, 'leadership')).toBe('SEV1 {{title}}');
      expect(readDraft(two.doc, 'leadership')).toBe('Any: {{title}}');
      expect(readDraft(two.doc, 'support')).toBe(DEFAULT_TEMPLATES.support);
    });

    const reset = await admin.request('DELETE', '/api/admin/templates', { audience: 'leadership', severity: null });
    expect(reset.status).toBe(200);
    expect(reset.body.templates.find((t: { audience: string; severity: number | null }) => t.audience === 'leadership' && t.severity === null)).toMatchObject({ custom: false, body: DEFAULT_TEMPLATES.leadership });
    expect((await admin.request('DELETE', '/api/admin/templates', { audience: 'leadership', severity: null })).status).toBe(404);
    expect((await admin.request('PUT', '/api/admin/templates', { audience: 'leadership', severity: 5, body: 'x' })).status).toBe(400);
    await admin.request('DELETE', '/api/admin/templates', { audience: 'leadership', severity: 1 });
  });
});
