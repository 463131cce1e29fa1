import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type JsonResponse, type TestClient, type TestServer } from '../helpers/server.ts';

type Who = 'anonymous' | 'outsider' | 'observer' | 'responder' | 'commander' | 'admin';
const WHO: Who[] = ['anonymous', 'outsider', 'observer', 'responder', 'commander', 'admin'];

interface Route {
  name: string;
  request(client: TestClient, ref: string, cast: Cast): Promise<JsonResponse>;
  /** Expected status per actor, in WHO order, on a private incident where the outsider is not a participant. */
  expect: [number, number, number, number, number, number];
}

const READ = [401, 404, 200, 200, 200, 200] as Route['expect'];
const COMMAND = [401, 404, 403, 403, 200, 200] as Route['expect'];

const routes: Route[] = [
  { name: 'GET /incidents/:ref', request: (c, ref) => c.get(`/api/incidents/${ref}`), expect: READ },
  { name: 'GET /incidents/:ref/events', request: (c, ref) => c.get(`/api/incidents/${ref}/events`), expect: READ },
  { name: 'POST /incidents/:ref/join', request: (c, ref) => c.post(`/api/incidents/${ref}/join`, { as: 'responder' }), expect: READ },
  { name: 'POST /incidents/:ref/state', request: (c, ref) => c.post(`/api/incidents/${ref}/state`, { state: 'identified' }), expect: COMMAND },
  { name: 'POST /incidents/:ref/severity', request: (c, ref) => c.post(`/api/incidents/${ref}/severity`, { severity: 1 }), expect: COMMAND },
  {
    name: 'POST /incidents/:ref/roles',
    request: (c, ref, cast) => c.post(`/api/incidents/${ref}/roles`, { role: 'scribe', userId: cast.responder.user.id }),
    expect: COMMAND,
  },
  { name: 'PATCH /incidents/:ref', request: (c, ref) => c.request('PATCH', `/api/incidents/${ref}`, { title: 'Renamed' }), expect: COMMAND },
  {
    name: 'POST /incidents/:ref/participants',
    request: (c, ref, cast) => c.post(`/api/incidents/${ref}/participants`, { userId: cast.outsider.user.id, kind: 'observer' }),
    expect: COMMAND,
  },
  // Any participant with write access may claim an empty role; observers are read-only.
  { name: 'POST /incidents/:ref/roles/claim', request: (c, ref) => c.post(`/api/incidents/${ref}/roles/claim`, { role: 'scribe' }), expect: [401, 404, 403, 200, 200, 200] },
];

describe.each(backends)('incident API access matrix (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const clientOf = (who: Who) => (who === 'anonymous' ? cast.anonymous : cast[who].client);

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const cases = routes.flatMap((route) => WHO.map((who, i) => ({ route: route.name, who, status: route.expect[i], run: route.request })));

  it.each(cases)('$route as $who → $status', async ({ who, status, run }) => {
    // A fresh incident per case, so one actor's successful command never changes what the next one sees.
    const incident = await privateIncident(cast);
    const response = await run(clientOf(who), incident.ref, cast);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (status === 200) expect(response.body.incident ?? response.body.events).toBeTruthy();
    if (status === 403) expect(response.body.error.message).toMatch(/commander|admin|Observers are read-only/);
  });

  it('answers an outsider on a private incident exactly as for one that does not exist', async () => {
    const incident = await privateIncident(cast);
    const hidden = await cast.outsider.client.get(`/api/incidents/${incident.ref}`);
    const missing = await cast.outsider.client.get('/api/incidents/INC-999999');
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(missing.body);
    const list = await cast.outsider.client.get('/api/incidents?limit=100');
    expect(list.body.incidents.map((i: { id: string }) => i.id)).not.toContain(incident.id);
    expect((await cast.admin.client.get('/api/incidents?limit=100')).body.incidents.map((i: { id: string }) => i.id)).toContain(incident.id);
  });

  it('lets anyone read a public incident, but only write after joining', async () => {
    const incident = await declare(cast.commander);
    const view = await cast.outsider.client.get(`/api/incidents/${incident.ref}`);
    expect(view.status).toBe(200);
    expect(view.body.incident.me).toMatchObject({ access: 'read', kind: null, canCommand: false, isAdmin: false });
    expect((await cast.outsider.client.post(`/api/incidents/${incident.ref}/roles/claim`, { role: 'scribe' })).status).toBe(403);
    expect((await cast.outsider.client.post(`/api/incidents/${incident.ref}/state`, { state: 'identified' })).status).toBe(403);

    const watching = await cast.outsider.client.post(`/api/incidents/${incident.ref}/join`, { as: 'observer' });
    expect(watching.body.incident.me).toMatchObject({ access: 'read', kind: 'observer' });
    const joined = await cast.outsider.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' });
    expect(joined.body.incident.me).toMatchObject({ access: 'write', kind: 'responder', canCommand: false });
    expect((await cast.outsider.client.post(`/api/incidents/${incident.ref}/roles/claim`, { role: 'scribe' })).status).toBe(200);
  });

  it('tells the commander and admins they may command, and nobody else', async () => {
    const incident = await privateIncident(cast);
    const me = async (who: Exclude<Who, 'anonymous' | 'outsider'>) => (await cast[who].client.get(`/api/incidents/${incident.ref}`)).body.incident.me;
    expect(await me('commander')).toEqual({ access: 'write', kind: 'responder', canCommand: true, isAdmin: false, canClaim: true, canAddParticipants: true });
    expect(await me('admin')).toMatchObject({ access: 'write', kind: null, canCommand: true, isAdmin: true });
    expect(await me('responder')).toMatchObject({ access: 'write', kind: 'responder', canCommand: false });
    expect(await me('observer')).toMatchObject({ access: 'read', kind: 'observer', canCommand: false, canClaim: false });
  });

  it.each([
    ['GET /incidents', (c: TestClient) => c.get('/api/incidents')],
    ['POST /incidents', (c: TestClient) => c.post('/api/incidents', { title: 'x', severity: 3 })],
    ['GET /incidents/meta', (c: TestClient) => c.get('/api/incidents/meta')],
    ['GET /services', (c: TestClient) => c.get('/api/services?q=a')],
    ['GET /users/directory', (c: TestClient) => c.get('/api/users/directory')],
  ])('%s needs a session, and works for any member', async (_, run) => {
    expect((await run(cast.anonymous)).status).toBe(401);
    expect([200, 201]).toContain((await run(cast.outsider.client)).status);
  });
});
