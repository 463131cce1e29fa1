import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../server/auth/tokens.ts';
import { createApiToken, TokenClient } from '../helpers/api-tokens.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { signUpUser, startTestServer, type TestServer } from '../helpers/server.ts';

const inAnHour = () => new Date(Date.now() + 60 * 60 * 1000).toISOString();

describe.each(backends)('API tokens (%s)', (backend) => {
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

  describe('creating and listing', () => {
    it('shows the token once, then only its prefix', async () => {
      const created = await cast.responder.client.post('/api/me/tokens', { name: '  Deploy bot  ', scopes: ['incidents:write', 'incidents:read'], expiresAt: inAnHour() });
      expect(created.status).toBe(201);
      const { token, apiToken } = created.body;
      expect(token).toMatch(/^wr_[a-z0-9]+_[a-z0-9]{32}$/);
      expect(token.startsWith(`${apiToken.prefix}_`)).toBe(true);
      expect(apiToken).toMatchObject({
        name: 'Deploy bot',
        // Stored in the canonical order, whatever order they were sent in.
        scopes: ['incidents:read', 'incidents:write'],
        kind: 'personal',
        user: { id: cast.responder.user.id, displayName: cast.responder.user.displayName },
        lastUsedAt: null,
        revokedAt: null,
        status: 'active',
      });
      expect(new Date(apiToken.expiresAt).getTime()).toBeGreaterThan(Date.now());

      const list = await cast.responder.client.get('/api/me/tokens');
      expect(list.status).toBe(200);
      const listed = list.body.tokens.find((t: { id: string }) => t.id === apiToken.id);
      expect(listed).toMatchObject({ prefix: apiToken.prefix, name: 'Deploy bot' });
      const secret = token.split('_')[2];
      expect(JSON.stringify(list.body)).not.toContain(secret);
      expect(Object.keys(listed)).not.toContain('token');
    });

    it('lists only your own tokens; an admin sees everyone’s', async () => {
      const { apiToken } = await createApiToken(server, cast.observer.client, { name: 'Observer script', scopes: ['incidents:read'] });
      const others = await cast.outsider.client.get('/api/me/tokens');
      expect(others.body.tokens.map((t: { id: string }) => t.id)).not.toContain(apiToken.id);
      const all = await cast.admin.client.get('/api/admin/tokens');
      expect(all.status).toBe(200);
      expect(all.body.tokens.find((t: { id: string }) => t.id === apiToken.id)).toMatchObject({ kind: 'personal', user: { id: cast.observer.user.id } });
    });

    it.each([
      ['an empty name', { name: ' ', scopes: ['incidents:read'] }, 'name'],
      ['a long name', { name: 'x'.repeat(81), scopes: ['incidents:read'] }, 'name'],
      ['no scopes', { name: 'x', scopes: [] }, 'scopes'],
      ['an unknown scope', { name: 'x', scopes: ['incidents:read', 'admin:all'] }, 'scopes.1'],
      ['a past expiry', { name: 'x', scopes: ['incidents:read'], expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      ['an expiry that is not a date', { name: 'x', scopes: ['incidents:read'], expiresAt: 'tomorrow' }, 'expiresAt'],
    ])('refuses %s with 400 naming the field', async (_, body, field) => {
      const response = await cast.responder.client.post('/api/me/tokens', body);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'invalid_input', field });
    });

    it('stops at 50 active tokens per person, until one is revoked', async () => {
      const invite = await cast.admin.client.post('/api/admin/invites', {});
      const hoarder = await signUpUser(server, { invite: new URL(invite.body.url).searchParams.get('invite')!, name: 'Hoarder' });
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) ids.push((await createApiToken(server, hoarder.client, { name: `t${i}`, scopes: ['incidents:read'] })).apiToken.id);
      const refused = await hoarder.client.post('/api/me/tokens', { name: 'one more', scopes: ['incidents:read'] });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('too_many_tokens');
      expect((await hoarder.client.request('DELETE', `/api/me/tokens/${ids[0]}`)).status).toBe(200);
      expect((await hoarder.client.post('/api/me/tokens', { name: 'one more', scopes: ['incidents:read'] })).status).toBe(201);
    });

    it('needs a signed-in user, and an admin for service tokens', async () => {
      expect((await cast.anonymous.post('/api/me/tokens', { name: 'x', scopes: ['incidents:read'] })).status).toBe(401);
      expect((await cast.responder.client.post('/api/admin/tokens', { name: 'x', scopes: ['incidents:read'] })).status).toBe(403);
      expect((await cast.responder.client.get('/api/admin/tokens')).status).toBe(403);
    });
  });

  describe('storage', () => {
    it('keeps only a SHA-256 of the secret at rest', async () => {
      const { token, apiToken } = await createApiToken(server, cast.responder.client, { scopes: ['incidents:read'] });
      const secret = token.split('_')[2];
      const [row] = await db.sql<Record<string, unknown>>`select * from api_tokens where id = ${apiToken.id}`;
      for (const value of Object.values(row)) {
        const text = value instanceof Uint8Array ? Buffer.from(value).toString('utf8') + Buffer.from(value).toString('hex') : String(value);
        expect(text).not.toContain(secret);
      }
      expect(Buffer.from(row.secret_hash as Uint8Array).equals(Buffer.from(hashSecret(secret)))).toBe(true);
    });

    it('records when a token was last used, at most once a minute', async () => {
      const { apiToken, client } = await createApiToken(server, cast.responder.client, { scopes: ['incidents:read'] });
      const lastUsed = async () => (await db.sql<{ last_used_at: Date | null }>`select last_used_at from api_tokens where id = ${apiToken.id}`)[0].last_used_at;
      expect(await lastUsed()).toBeNull();
      const before = Date.now();
      expect((await client.get('/api/incidents')).status).toBe(200);
      const first = await lastUsed();
      expect(first).not.toBeNull();
      expect(first!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect((await client.get('/api/incidents')).status).toBe(200);
      expect((await lastUsed())!.getTime()).toBe(first!.getTime());
      const listed = (await cast.responder.client.get('/api/me/tokens')).body.tokens.find((t: { id: string }) => t.id === apiToken.id);
      expect(listed.lastUsedAt).toBe(first!.toISOString());
    });
  });

  describe('refusing tokens', () => {
    it('refuses a revoked token at once with 401', async () => {
      const { apiToken, client } = await createApiToken(server, cast.responder.client, { scopes: ['incidents:read'] });
      expect((await client.get('/api/incidents')).status).toBe(200);
      const revoked = await cast.responder.client.request('DELETE', `/api/me/tokens/${apiToken.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.apiToken).toMatchObject({ status: 'revoked' });
      const refused = await client.get('/api/incidents');
      expect(refused.status).toBe(401);
      expect(refused.body.error).toEqual({ code: 'invalid_token', message: 'This API token has been revoked. Create a new one.' });
      expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it('refuses an expired token with 401', async () => {
      const { apiToken, client } = await createApiToken(server, cast.responder.client, { scopes: ['incidents:read'], expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      expect((await client.get('/api/incidents')).status).toBe(200);
      // Let the hour pass: moving the expiry into the past needs no sleep and no race with a slow machine.
      await db.sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${apiToken.id}`;
      const refused = await client.get('/api/incidents');
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toBe('This API token has expired. Create a new one.');
      const listed = (await cast.responder.client.get('/api/me/tokens')).body.tokens.find((t: { id: string }) => t.id === apiToken.id);
      expect(listed.status).toBe('expired');
    });

    it.each([
      ['an unknown token', 'wr_aaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'],
      ['garbage', 'not-a-token'],
    ])('refuses %s with 401', async (_, token) => {
      const refused = await new TokenClient(server.url, token).get('/api/incidents');
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('invalid_token');
    });

    it('refuses a real id with a wrong secret', async () => {
      const { token } = await createApiToken(server, cast.responder.client, { scopes: ['incidents:read'] });
      const forged = token.replace(/_[a-z0-9]+$/, `_${'a'.repeat(32)}`);
      expect((await new TokenClient(server.url, forged).get('/api/incidents')).status).toBe(401);
    });

    it('refuses a Bearer header without a token', async () => {
      const response = await fetch(`${server.url}/api/incidents`, { headers: { authorization: 'Bearer ' } });
      expect(response.status).toBe(401);
      expect((await response.json()).error.code).toBe('invalid_token');
    });

    it('leaves other schemes alone, so a browser behind a Basic-auth proxy keeps its session', async () => {
      const basic = { authorization: 'Basic dXNlcjpwYXNz' };
      expect((await cast.responder.client.request('GET', '/api/incidents', undefined, basic)).status).toBe(200);
      const anonymous = await fetch(`${server.url}/api/incidents`, { headers: basic });
      expect(anonymous.status).toBe(401);
      expect((await anonymous.json()).error.code).toBe('unauthenticated');
    });

    it('never falls back to the cookie when the bearer token is bad', async () => {
      const response = await cast.responder.client.request('GET', '/api/incidents', undefined, { authorization: 'Bearer wr_nope_nope' });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_token');
    });

    it('stops working when its user is deactivated', async () => {
      const invite = await cast.admin.client.post('/api/admin/invites', {});
      const temp = await signUpUser(server, { invite: new URL(invite.body.url).searchParams.get('invite')!, name: 'Leaver' });
      const { client } = await createApiToken(server, temp.client, { scopes: ['incidents:read'] });
      expect((await client.get('/api/incidents')).status).toBe(200);
      expect((await cast.admin.client.post(`/api/admin/users/${temp.user.id}/deactivate`)).status).toBe(200);
      const refused = await client.get('/api/incidents');
      expect(refused.status).toBe(401);
      expect(refused.body.error.message).toMatch(/deactivated/);
    });

    it('lets nobody revoke another person’s token, but an admin can', async () => {
      const { apiToken, client } = await createApiToken(server, cast.responder.client, { scopes: ['incidents:read'] });
      expect((await cast.outsider.client.request('DELETE', `/api/me/tokens/${apiToken.id}`)).status).toBe(404);
      expect((await client.get('/api/incidents')).status).toBe(200);
      const byAdmin = await cast.admin.client.request('DELETE', `/api/admin/tokens/${apiToken.id}`);
      expect(byAdmin.status).toBe(200);
      expect((await client.get('/api/incidents')).status).toBe(401);
      expect((await cast.admin.client.request('DELETE', '/api/admin/tokens/nosuchtoken')).status).toBe(404);
    });
  });

  describe('permissions', () => {
    it('acts with its user’s own permissions: an outsider’s token gets 404 on a private incident', async () => {
      const incident = await privateIncident(cast);
      const outsider = await createApiToken(server, cast.outsider.client, { scopes: ['incidents:read', 'incidents:write'] });
      const responder = await createApiToken(server, cast.responder.client, { scopes: ['incidents:read'] });
      expect((await outsider.client.get(`/api/incidents/${incident.ref}`)).status).toBe(404);
      expect((await outsider.client.post(`/api/incidents/${incident.ref}/state`, { state: 'identified' })).status).toBe(404);
      const listed = await outsider.client.get('/api/incidents');
      expect(listed.body.incidents.map((i: { ref: string }) => i.ref)).not.toContain(incident.ref);
      expect((await responder.client.get(`/api/incidents/${incident.ref}`)).status).toBe(200);
    });

    it('never grants more than its user has: updates:publish still needs communicator standing', async () => {
      const incident = await privateIncident(cast);
      const observer = await createApiToken(server, cast.observer.client, { scopes: ['incidents:write', 'updates:publish'] });
      expect((await observer.client.post(`/api/incidents/${incident.ref}/state`, { state: 'identified' })).status).toBe(403);
      const publish = { audience: 'responders', body: 'Update from a script', idempotencyKey: `key-${Date.now()}` };
      expect((await observer.client.post(`/api/incidents/${incident.ref}/updates`, publish)).status).toBe(403);
      const commander = await createApiToken(server, cast.commander.client, { scopes: ['updates:publish'] });
      expect((await commander.client.post(`/api/incidents/${incident.ref}/updates`, publish)).status).toBe(201);
    });

    it('is not held back by the cross-site check, while cookies still are', async () => {
      const { client } = await createApiToken(server, cast.commander.client, { scopes: ['incidents:write'] });
      const viaToken = await client.request('POST', '/api/incidents', { title: 'From CI', severity: 4 }, { origin: 'https://ci.example.net' });
      expect(viaToken.status).toBe(201);
      const viaCookie = await cast.commander.client.request('POST', '/api/incidents', { title: 'Forged', severity: 4 }, { origin: 'https://evil.example.net' });
      expect(viaCookie.status).toBe(403);
      expect(viaCookie.body.error.code).toBe('cross_origin');
    });
  });

  describe('service tokens', () => {
    it('act as a service account that authors what they create', async () => {
      const created = await createApiToken(server, cast.admin.client, { name: 'Alertmanager', scopes: ['incidents:write', 'incidents:read'] }, { service: true });
      expect(created.apiToken).toMatchObject({ kind: 'service', user: { displayName: 'Alertmanager (service)' } });
      expect(created.apiToken.user.id).not.toBe(cast.admin.user.id);
      const declared = await created.client.post('/api/incidents', { title: 'Disk full on db-1', severity: 3 });
      expect(declared.status, JSON.stringify(declared.body)).toBe(201);
      expect(declared.body.incident.declaredBy).toMatchObject({ id: created.apiToken.user.id, displayName: 'Alertmanager (service)' });
      const events = await cast.admin.client.get(`/api/incidents/${declared.body.incident.ref}/events`);
      expect(JSON.stringify(events.body)).toContain('Alertmanager (service)');
    });

    it('cannot log in, and are not listed as people', async () => {
      const { apiToken } = await createApiToken(server, cast.admin.client, { name: 'Grafana', scopes: ['incidents:read'] }, { service: true });
      const [account] = await db.sql<{ email: string; kind: string }>`select email, kind from users where id = ${apiToken.user.id}`;
      expect(account.kind).toBe('service');
      for (const password of ['!', '', 'battery staple horse']) {
        const login = await server.client().post('/api/auth/login', { email: account.email, password });
        expect(login.status).toBe(401);
      }
      const directory = await cast.responder.client.get('/api/users/directory');
      expect(directory.status).toBe(200);
      const ids = directory.body.users.map((u: { id: string }) => u.id);
      expect(ids).toContain(cast.responder.user.id);
      expect(ids).not.toContain(apiToken.user.id);
      const users = await cast.admin.client.get('/api/admin/users');
      expect(users.body.users.map((u: { id: string }) => u.id)).not.toContain(apiToken.user.id);
    });

    it('can be revoked by an admin, which ends the token', async () => {
      const { apiToken, client } = await createApiToken(server, cast.admin.client, { name: 'Old pager', scopes: ['incidents:read'] }, { service: true });
      expect((await client.get('/api/incidents')).status).toBe(200);
      const revoked = await cast.admin.client.request('DELETE', `/api/admin/tokens/${apiToken.id}`);
      expect(revoked.status).toBe(200);
      expect((await client.get('/api/incidents')).status).toBe(401);
      const listed = (await cast.admin.client.get('/api/admin/tokens')).body.tokens.find((t: { id: string }) => t.id === apiToken.id);
      expect(listed).toMatchObject({ status: 'revoked', kind: 'service' });
      expect(listed.revokedAt).not.toBeNull();
    });
  });
});
