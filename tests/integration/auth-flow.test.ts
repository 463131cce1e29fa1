import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';

const adminPassword = 'admin passphrase for tests';

describe.each(backends)('accounts and sessions over HTTP (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('runs the whole path: first admin, invite, second user, logout, wrong password, login', async () => {
    const anonymous = server.client();
    expect((await anonymous.get('/api/auth/state')).body).toMatchObject({ needsFirstAdmin: true, user: null });

    const admin = await signUpUser(server, { name: 'Ana', email: 'ana@example.com', password: adminPassword });
    expect(admin.user.role).toBe('admin');
    expect((await anonymous.get('/api/auth/state')).body.needsFirstAdmin).toBe(false);

    // Without an invite nobody else gets in.
    const stranger = await server.client().post('/api/auth/signup', {
      email: 'eve@example.com',
      displayName: 'Eve',
      password: 'long enough password',
    });
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.code).toBe('invite_required');

    const invite = await admin.client.post('/api/admin/invites', { email: 'ben@example.com' });
    expect(invite.status).toBe(201);
    const token = new URL(invite.body.url).searchParams.get('invite')!;
    expect((await anonymous.get(`/api/auth/invite?token=${token}`)).body.email).toBe('ben@example.com');

    const wrongEmail = await server.client().post('/api/auth/signup', {
      email: 'eve@example.com', displayName: 'Eve', password: 'long enough password', invite: token,
    });
    expect(wrongEmail.status).toBe(400);
    expect(wrongEmail.body.error).toMatchObject({ code: 'email_mismatch', field: 'email' });

    const ben = await signUpUser(server, { invite: token, name: 'Ben', email: 'ben@example.com' });
    expect(ben.user.role).toBe('member');
    expect((await ben.client.get('/api/me')).body.user.email).toBe('ben@example.com');

    // The invite was single-use.
    const reuse = await server.client().post('/api/auth/signup', {
      email: 'ben@example.com', displayName: 'Ben again', password: 'long enough password', invite: token,
    });
    expect(reuse.body.error.code).toBe('invite_invalid');

    expect((await ben.client.post('/api/auth/logout')).status).toBe(200);
    expect(ben.client.cookie).toBeNull();
    expect((await ben.client.get('/api/me')).status).toBe(401);

    const wrong = await ben.client.post('/api/auth/login', { email: 'ben@example.com', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe('Email or password is incorrect.');
    const unknown = await ben.client.post('/api/auth/login', { email: 'nobody@example.com', password: 'not the password' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);

    const login = await ben.client.post('/api/auth/login', { email: 'BEN@example.com', password: ben.password });
    expect(login.status).toBe(200);
    expect((await ben.client.get('/api/me')).body.user.displayName).toBe('Ben');
  });

  it('sets an HttpOnly, SameSite=Lax session cookie with a 30-day expiry and stores only a hash', async () => {
    const { user, password } = await signUpUser(server, { invite: await newInvite(server) });
    const response = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ email: user.email, password }),
    });
    const cookie = response.headers.getSetCookie()[0];
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const expires = new Date(/Expires=([^;]+)/i.exec(cookie)![1]).getTime();
    expect(expires - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const token = cookie.split(';')[0].split('=')[1];
    const [id, secret] = token.split('.');
    const rows = await db.sql<{ secret_hash: Uint8Array }>`select secret_hash from sessions where id = ${id}`;
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0].secret_hash).toString()).not.toContain(secret);
    expect(rows[0].secret_hash.byteLength).toBe(32);
  });

  it('ends every session of a deactivated user at once, and refuses their login', async () => {
    const admin = await loginAdmin(server);
    const member = await signUpUser(server, { invite: await newInvite(server) });
    const secondDevice = server.client();
    await secondDevice.post('/api/auth/login', { email: member.user.email, password: member.password });
    expect((await secondDevice.get('/api/me')).status).toBe(200);

    expect((await admin.post(`/api/admin/users/${member.user.id}/deactivate`)).status).toBe(200);
    expect((await member.client.get('/api/me')).status).toBe(401);
    expect((await secondDevice.get('/api/me')).status).toBe(401);
    const again = await server.client().post('/api/auth/login', { email: member.user.email, password: member.password });
    expect(again.status).toBe(403);
    expect(again.body.error.code).toBe('deactivated');

    expect((await admin.post(`/api/admin/users/${member.user.id}/activate`)).status).toBe(200);
    const back = await server.client().post('/api/auth/login', { email: member.user.email, password: member.password });
    expect(back.status).toBe(200);
  });

  it('logs out everywhere, and a password change ends the other sessions', async () => {
    const member = await signUpUser(server, { invite: await newInvite(server) });
    const laptop = server.client();
    await laptop.post('/api/auth/login', { email: member.user.email, password: member.password });
    const sessions = await member.client.get('/api/me/sessions');
    expect(sessions.body.sessions).toHaveLength(2);

    const change = await member.client.post('/api/me/password', { currentPassword: member.password, newPassword: 'a new long passphrase' });
    expect(change.status).toBe(200);
    expect((await laptop.get('/api/me')).status).toBe(401);
    expect((await member.client.get('/api/me')).status).toBe(200);

    await laptop.post('/api/auth/login', { email: member.user.email, password: 'a new long passphrase' });
    await member.client.post('/api/auth/logout-everywhere');
    expect((await laptop.get('/api/me')).status).toBe(401);
    expect((await member.client.get('/api/me')).status).toBe(401);
  });

  it('keeps admin routes for admins and revokes invites', async () => {
    const admin = await loginAdmin(server);
    const member = await signUpUser(server, { invite: await newInvite(server) });
    expect((await member.client.get('/api/admin/users')).status).toBe(403);
    expect((await server.client().get('/api/admin/users')).status).toBe(401);

    const created = await admin.post('/api/admin/invites', {});
    expect((await admin.request('DELETE', `/api/admin/invites/${created.body.invite.id}`)).status).toBe(200);
    const token = new URL(created.body.url).searchParams.get('invite')!;
    expect((await server.client().get(`/api/auth/invite?token=${token}`)).status).toBe(410);
    const list = await admin.get('/api/admin/invites');
    expect(list.body.invites.find((i: { id: string }) => i.id === created.body.invite.id).status).toBe('revoked');
  });

  it('answers bad input with a clear 4xx and refuses cross-site writes', async () => {
    const client = server.client();
    const short = await client.post('/api/auth/login', { email: 'not-an-email', password: 'x' });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatchObject({ code: 'invalid_input', field: 'email' });

    const notJson = await client.request('POST', '/api/auth/login', undefined, { 'content-type': 'text/plain' });
    expect(notJson.status).toBe(415);

    const crossSite = await client.request('POST', '/api/auth/login', { email: 'a@b.co', password: 'xxxxxxxxxxxx' }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('cross_origin');

    expect((await client.get('/api/nope')).status).toBe(404);
    expect((await client.get('/api/nope')).body.error.code).toBe('not_found');
  });

  // The first test creates the admin; later tests sign in as them.
  async function loginAdmin(s: TestServer) {
    const client = s.client();
    const response = await client.post('/api/auth/login', { email: 'ana@example.com', password: adminPassword });
    expect(response.status).toBe(200);
    return client;
  }
  async function newInvite(s: TestServer) {
    const admin = await loginAdmin(s);
    const invite = await admin.post('/api/admin/invites', {});
    return new URL(invite.body.url).searchParams.get('invite')!;
  }
});
