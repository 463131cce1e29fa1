import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('alert rules API (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('is for admins only', async () => {
    expect((await cast.anonymous.get('/api/admin/alert-rules')).status).toBe(401);
    expect((await cast.commander.client.get('/api/admin/alert-rules')).status).toBe(403);
    expect((await cast.commander.client.post('/api/admin/alert-rules', { name: 'x', matchers: [], action: 'inbox' })).status).toBe(403);
  });

  it('creates rules in order, edits, reorders and deletes them', async () => {
    const api = cast.admin.client;
    const create = (body: object) => api.post('/api/admin/alert-rules', body);
    const critical = (await create({ name: 'Critical payments', matchers: [{ key: 'severity', value: 'critical' }, { key: 'service', value: 'payments' }], action: 'declare', severity: 1 })).body.rule;
    const attach = (await create({ name: 'Attach', matchers: [{ key: 'service', value: 'payments' }], action: 'attach', severity: 2 })).body.rule;
    expect(critical).toMatchObject({ position: 1, action: 'declare', severity: 1, matchers: [{ key: 'severity', value: 'critical' }, { key: 'service', value: 'payments' }] });
    // A severity only means something for declare rules.
    expect(attach).toMatchObject({ position: 2, action: 'attach', severity: null });

    expect((await create({ name: 'x', matchers: [], action: 'declare' })).body.error).toMatchObject({ code: 'invalid_input', field: 'severity' });
    expect((await create({ name: 'x', matchers: [{ key: 'bad key', value: 'v' }], action: 'inbox' })).body.error.field).toBe('matchers.0.key');
    expect((await create({ name: 'x', matchers: [], action: 'page' })).body.error.field).toBe('action');
    expect((await create({ name: ' ', matchers: [], action: 'inbox' })).body.error.field).toBe('name');

    const edited = await api.request('PATCH', `/api/admin/alert-rules/${attach.id}`, { action: 'declare', severity: 3, name: 'Declare SEV3' });
    expect(edited.body.rule).toMatchObject({ name: 'Declare SEV3', action: 'declare', severity: 3 });
    const back = await api.request('PATCH', `/api/admin/alert-rules/${attach.id}`, { action: 'inbox' });
    expect(back.body.rule).toMatchObject({ action: 'inbox', severity: null });
    expect((await api.request('PATCH', `/api/admin/alert-rules/${attach.id}`, {})).status).toBe(400);
    expect((await api.request('PATCH', `/api/admin/alert-rules/nosuchrule`, { name: 'y' })).status).toBe(404);

    const reordered = await api.post('/api/admin/alert-rules/reorder', { ids: [attach.id, critical.id] });
    expect(reordered.body.rules.map((r: { id: string; position: number }) => [r.id, r.position])).toEqual([[attach.id, 1], [critical.id, 2]]);
    const stale = await api.post('/api/admin/alert-rules/reorder', { ids: [attach.id] });
    expect(stale.status).toBe(409);
    expect(stale.body.error.field).toBe('ids');

    expect((await api.request('DELETE', `/api/admin/alert-rules/${attach.id}`)).status).toBe(200);
    expect((await api.request('DELETE', `/api/admin/alert-rules/${attach.id}`)).status).toBe(404);
    expect((await api.get('/api/admin/alert-rules')).body.rules.map((r: { id: string }) => r.id)).toEqual([critical.id]);
  });
});
