import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

type Who = 'anonymous' | 'outsider' | 'observer' | 'responder' | 'commander' | 'admin';
const WHO: Who[] = ['anonymous', 'outsider', 'observer', 'responder', 'commander', 'admin'];

describe.each(backends)('status page API (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const clientOf = (who: Who): TestClient => (who === 'anonymous' ? cast.anonymous : cast[who].client);

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const commandCases = WHO.map((who, i) => ({ who, status: [401, 404, 403, 403, 200, 200][i] }));
  it.each(commandCases)('POST /incidents/:ref/status-page as $who → $status', async ({ who, status }) => {
    const incident = await privateIncident(cast);
    const response = await clientOf(who).post(`/api/incidents/${incident.ref}/status-page`, { public: true, publicTitle: 'Checkout errors' });
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    const after = await cast.commander.client.get(`/api/incidents/${incident.ref}/status-page`);
    expect(after.body.statusPage.public).toBe(status === 200);
    if (status === 403) expect(response.body.error.message).toMatch(/commander \(Cora\) or an admin/);
    if (status === 404) expect(response.body).toEqual((await clientOf(who).get('/api/incidents/INC-999999/status-page')).body);
  });

  const readCases = WHO.map((who, i) => ({ who, status: [401, 404, 200, 200, 200, 200][i] }));
  it.each(readCases)('GET /incidents/:ref/status-page as $who → $status', async ({ who, status }) => {
    const incident = await privateIncident(cast);
    const response = await clientOf(who).get(`/api/incidents/${incident.ref}/status-page`);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (status === 200) expect(response.body.statusPage.canChange).toBe(who === 'commander' || who === 'admin');
  });

  it('makes the page public with a slug from the public title, then takes it down and back up at the same address', async () => {
    const incident = await declare(cast.commander, { title: 'Primary DB OOM-killed on eu-1' });
    const path = `/api/incidents/${incident.ref}/status-page`;
    const before = await cast.commander.client.get(path);
    expect(before.body.statusPage).toEqual({ public: false, slug: null, url: null, publicTitle: 'Primary DB OOM-killed on eu-1', publicSince: null, canChange: true });

    const made = await cast.commander.client.post(path, { public: true, publicTitle: '  Checkout errors ' });
    expect(made.status).toBe(200);
    const page = made.body.statusPage;
    expect(page).toMatchObject({ public: true, publicTitle: 'Checkout errors', canChange: true });
    expect(page.slug).toMatch(/^checkout-errors-[a-z2-9]{4}$/);
    expect(page.url).toBe(`${server.url}/status/${page.slug}`);
    expect(new Date(page.publicSince).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const again = await cast.commander.client.post(path, { public: true });
    expect(again.body.statusPage).toEqual(page);

    const down = await cast.commander.client.post(path, { public: false });
    expect(down.body.statusPage).toMatchObject({ public: false, slug: page.slug, url: null, publicTitle: 'Checkout errors', publicSince: null });

    const up = await cast.admin.client.post(path, { public: true, publicTitle: 'Payment errors' });
    expect(up.body.statusPage).toMatchObject({ public: true, slug: page.slug, url: page.url, publicTitle: 'Payment errors' });

    const events = (await cast.commander.client.get(`/api/incidents/${incident.ref}/events`)).body.events.filter((e: { kind: string }) => e.kind === 'status_page');
    expect(events.map((e: { message: string }) => e.message)).toEqual([
      'Cora made the status page public as "Checkout errors"',
      'Cora took the status page down',
      'Admin made the status page public as "Payment errors"',
    ]);
    expect(events[0].actor).toMatchObject({ id: cast.commander.user.id });
  });

  it('defaults the public title to the incident title, as a copy that later renames do not change', async () => {
    const incident = await declare(cast.commander, { title: 'Slow search' });
    const path = `/api/incidents/${incident.ref}/status-page`;
    expect((await cast.commander.client.post(path, { public: true })).body.statusPage).toMatchObject({ publicTitle: 'Slow search' });
    expect((await cast.commander.client.request('PATCH', `/api/incidents/${incident.ref}`, { title: 'Search cluster split brain' })).status).toBe(200);
    expect((await cast.commander.client.get(path)).body.statusPage.publicTitle).toBe('Slow search');
  });

  it('gives two incidents with the same public title different slugs', async () => {
    const slugs = [];
    for (let i = 0; i < 3; i++) {
      const incident = await declare(cast.commander);
      slugs.push((await cast.commander.client.post(`/api/incidents/${incident.ref}/status-page`, { public: true, publicTitle: 'Same title' })).body.statusPage.slug);
    }
    expect(new Set(slugs).size).toBe(3);
  });

  it('refuses drills, bad input and cross-site requests', async () => {
    const drill = await declare(cast.commander, { drill: true });
    const refused = await cast.commander.client.post(`/api/incidents/${drill.ref}/status-page`, { public: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'drill', field: 'public' });

    const incident = await declare(cast.commander);
    const path = `/api/incidents/${incident.ref}/status-page`;
    expect((await cast.commander.client.post(path, {})).body.error).toMatchObject({ code: 'invalid_input', field: 'public' });
    expect((await cast.commander.client.post(path, { public: true, publicTitle: '   ' })).body.error).toMatchObject({ field: 'publicTitle' });
    expect((await cast.commander.client.post(path, { public: true, publicTitle: 'x'.repeat(201) })).status).toBe(400);
    const crossSite = await cast.commander.client.request('POST', path, { public: true }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await cast.commander.client.get(path)).body.statusPage.public).toBe(false);
  });
});
