import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { signUpUser, startTestServer, withAdmin, type TestClient, type TestServer } from '../helpers/server.ts';

describe.each(backends)('building the team: invites at once, admins promoted and demoted (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let team: Awaited<ReturnType<typeof withAdmin>>;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    team = await withAdmin(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const tokenOf = (url: string) => new URL(url).searchParams.get('invite')!;
  const roleOf = async (client: TestClient) => (await client.get('/api/me')).body.user.role as string;

  it('creates one working link per address in one request, each bound to its address', async () => {
    const emails = ['ana.batch@example.com', 'ben.batch@example.com', 'cy.batch@example.com'];
    const created = await team.admin.client.post('/api/admin/invites/batch', { emails });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const invites = created.body.invites as { invite: { id: string; email: string; status: string }; url: string }[];
    expect(invites.map((i) => i.invite.email)).toEqual(emails);
    expect(new Set(invites.map((i) => i.url)).size).toBe(3);
    expect(invites.every((i) => i.invite.status === 'pending')).toBe(true);

    const listed = (await team.admin.client.get('/api/admin/invites')).body.invites as { id: string }[];
    expect(listed.map((i) => i.id)).toEqual(expect.arrayContaining(invites.map((i) => i.invite.id)));

    // Every link works, for its own address only.
    const wrong = await server.client().post('/api/auth/signup', { email: emails[0], displayName: 'X', password: 'long enough password', invite: tokenOf(invites[1].url) });
    expect(wrong.body.error.code).toBe('email_mismatch');
    for (const [i, invite] of invites.entries()) {
      const joined = await signUpUser(server, { invite: tokenOf(invite.url), email: emails[i], name: `Batch ${i}` });
      expect(joined.user.role).toBe('member');
    }
  });

  it('refuses a bad list as a whole, with what was wrong, and creates nothing', async () => {
    const before = (await team.admin.client.get('/api/admin/invites')).body.invites.length;
    const cases: [unknown, string][] = [
      [{ emails: [] }, 'emails'],
      [{ emails: ['ok@example.com', 'not-an-address'] }, 'emails.1'],
      [{ emails: ['Dup@example.com', 'dup@example.com'] }, 'emails'],
      [{ emails: Array.from({ length: 51 }, (_, i) => `p${i}@example.com`) }, 'emails'],
      [{ emails: ['ok@example.com'], extra: true }, ''],
    ];
    for (const [body, field] of cases) {
      const response = await team.admin.client.post('/api/admin/invites/batch', body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      if (field) expect(response.body.error.field).toBe(field);
    }
    expect((await team.admin.client.get('/api/admin/invites')).body.invites.length).toBe(before);
    const member = await team.member('Mo');
    expect((await member.client.post('/api/admin/invites/batch', { emails: ['x@example.com'] })).status).toBe(403);
  });

  it('promotes a member to admin and back; the change holds on their next request', async () => {
    const bea = await team.member('Bea');
    expect((await bea.client.get('/api/admin/users')).status).toBe(403);

    const promoted = await team.admin.client.post(`/api/admin/users/${bea.user.id}/role`, { role: 'admin' });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(promoted.body.user).toMatchObject({ id: bea.user.id, role: 'admin' });
    expect(await roleOf(bea.client)).toBe('admin');
    expect((await bea.client.get('/api/admin/users')).status).toBe(200);

    const demoted = await team.admin.client.post(`/api/admin/users/${bea.user.id}/role`, { role: 'member' });
    expect(demoted.body.user.role).toBe('member');
    expect((await bea.client.get('/api/admin/users')).status).toBe(403);

    expect((await bea.client.post(`/api/admin/users/${bea.user.id}/role`, { role: 'admin' })).status).toBe(403);
    expect((await team.admin.client.post(`/api/admin/users/${bea.user.id}/role`, { role: 'owner' })).status).toBe(400);
    expect((await team.admin.client.post('/api/admin/users/nosuchuser000000/role', { role: 'admin' })).status).toBe(404);
  });

  it('never leaves the workspace without an active admin, even when two admins step down at once', async () => {
    const admins = async () =>
      ((await team.admin.client.get('/api/admin/users')).body.users as { id: string; role: string; active: boolean }[]).filter((u) => u.role === 'admin' && u.active);

    // Alone, the first admin cannot step down.
    expect((await admins()).map((u) => u.id)).toEqual([team.admin.user.id]);
    const alone = await team.admin.client.post(`/api/admin/users/${team.admin.user.id}/role`, { role: 'member' });
    expect(alone.status).toBe(409);
    expect(alone.body.error.code).toBe('last_admin');

    const dee = await team.member('Dee');
    await team.admin.client.post(`/api/admin/users/${dee.user.id}/role`, { role: 'admin' });
    const [first, second] = await Promise.all([
      team.admin.client.post(`/api/admin/users/${team.admin.user.id}/role`, { role: 'member' }),
      dee.client.post(`/api/admin/users/${dee.user.id}/role`, { role: 'member' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const left = first.status === 200 ? dee : team.admin;
    expect(await roleOf(left.client)).toBe('admin');
    expect((await left.client.get('/api/admin/users')).body.users.filter((u: { role: string }) => u.role === 'admin')).toHaveLength(1);

    // Put the first admin back for the other tests.
    if (left !== team.admin) await left.client.post(`/api/admin/users/${team.admin.user.id}/role`, { role: 'admin' });
    expect(await roleOf(team.admin.client)).toBe('admin');
  });
});
