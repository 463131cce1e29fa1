import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointCommunicator, commsCast, newKey, type Communicator } from '../helpers/comms.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type JsonResponse, type TestClient, type TestServer } from '../helpers/server.ts';

type Who = 'anonymous' | 'outsider' | 'observer' | 'responder' | 'communicator' | 'commander' | 'admin';
const WHO: Who[] = ['anonymous', 'outsider', 'observer', 'responder', 'communicator', 'commander', 'admin'];

interface Route {
  name: string;
  request(client: TestClient, ref: string): Promise<JsonResponse>;
  /** Expected status per actor, in WHO order, on a private incident the outsider is not part of. */
  expect: [number, number, number, number, number, number, number];
}

const routes: Route[] = [
  {
    name: 'POST /incidents/:ref/updates',
    request: (c, ref) => c.post(`/api/incidents/${ref}/updates`, { audience: 'leadership', body: 'Update', idempotencyKey: newKey() }),
    expect: [401, 404, 403, 403, 201, 201, 201],
  },
  { name: 'GET /incidents/:ref/updates', request: (c, ref) => c.get(`/api/incidents/${ref}/updates`), expect: [401, 404, 200, 200, 200, 200, 200] },
  { name: 'GET /incidents/:ref/cadence', request: (c, ref) => c.get(`/api/incidents/${ref}/cadence`), expect: [401, 404, 200, 200, 200, 200, 200] },
  {
    name: 'PUT /incidents/:ref/cadence',
    request: (c, ref) => c.request('PUT', `/api/incidents/${ref}/cadence`, { audience: 'public', intervalMinutes: 20 }),
    expect: [401, 404, 403, 403, 200, 200, 200],
  },
  { name: 'POST /incidents/:ref/drafts', request: (c, ref) => c.post(`/api/incidents/${ref}/drafts`), expect: [401, 404, 403, 204, 204, 204, 204] },
  { name: 'GET /admin/templates', request: (c) => c.get('/api/admin/templates'), expect: [401, 403, 403, 403, 403, 403, 200] },
  {
    name: 'PUT /admin/templates',
    request: (c) => c.request('PUT', '/api/admin/templates', { audience: 'support', severity: 4, body: 'Hi {{title}}' }),
    expect: [401, 403, 403, 403, 403, 403, 200],
  },
];

describe.each(backends)('communications API access matrix (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let cami: Communicator;
  const clientOf = (who: Who) => (who === 'anonymous' ? cast.anonymous : who === 'communicator' ? cami.client : cast[who].client);

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

  const cases = routes.flatMap((route) => WHO.map((who, i) => ({ route: route.name, who, status: route.expect[i], run: route.request })));

  it.each(cases)('$route as $who → $status', async ({ who, status, run }) => {
    const incident = await privateIncident(cast);
    await appointCommunicator(cast.commander.client, incident.ref, cami.user.id);
    const response = await run(clientOf(who), incident.ref);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
  });

  it('refuses publishing to everyone once the communicator hands the role back', async () => {
    const incident = await privateIncident(cast);
    await appointCommunicator(cast.commander.client, incident.ref, cami.user.id);
    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/roles`, { role: 'communicator', userId: null })).status).toBe(200);
    const response = await cami.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'public', body: 'x', idempotencyKey: newKey() });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toMatch(/commander or the communicator \(Cora\)/);
  });

  it('says what is wrong with a bad request', async () => {
    const incident = await privateIncident(cast);
    const post = (body: unknown) => cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, body);
    for (const [body, field] of [
      [{ audience: 'board', body: 'x', idempotencyKey: newKey() }, 'audience'],
      [{ audience: 'public', body: '   ', idempotencyKey: newKey() }, 'body'],
      [{ audience: 'public', body: 'x', idempotencyKey: 'short' }, 'idempotencyKey'],
      [{ audience: 'public', body: 'x'.repeat(20_001), idempotencyKey: newKey() }, 'body'],
    ] as const) {
      const response = await post(body);
      expect(response.status, field).toBe(400);
      expect(response.body.error.field).toBe(field);
    }
    const cadence = await cast.commander.client.request('PUT', `/api/incidents/${incident.ref}/cadence`, { audience: 'public', intervalMinutes: 0 });
    expect(cadence.status).toBe(400);
    expect((await cast.commander.client.post('/api/incidents/INC-999999/updates', { audience: 'public', body: 'x', idempotencyKey: newKey() })).status).toBe(404);
  });
});
