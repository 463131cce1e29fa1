import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestClient, type TestServer } from '../helpers/server.ts';
import { createEndpoint } from '../helpers/webhooks.ts';

describe.each(backends)('webhook endpoints admin API (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let admin: TestClient;
  let member: TestClient;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    const cast = await withAdmin(server);
    admin = cast.admin.client;
    member = (await cast.member('Mia')).client;
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('lets only admins in: members get 403, anonymous callers 401', async () => {
    const { endpoint } = await createEndpoint(admin, { url: 'https://hooks.example.com/a' });
    const anonymous = server.client();
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/admin/webhooks'],
      ['POST', '/api/admin/webhooks', { name: 'x', url: 'https://example.com', audiences: ['public'], format: 'json' }],
      ['PATCH', `/api/admin/webhooks/${endpoint.id}`, { active: false }],
      ['DELETE', `/api/admin/webhooks/${endpoint.id}`],
      ['POST', `/api/admin/webhooks/${endpoint.id}/test`, {}],
      ['POST', `/api/admin/webhooks/${endpoint.id}/rotate-secret`, {}],
      ['GET', `/api/admin/webhooks/${endpoint.id}/deliveries`],
      ['POST', '/api/admin/webhooks/deliveries/abc/retry', {}],
    ];
    for (const [method, path, body] of calls) {
      expect((await member.request(method, path, body)).status, `${method} ${path} as member`).toBe(403);
      expect((await anonymous.request(method, path, body)).status, `${method} ${path} anonymously`).toBe(401);
    }
    expect((await admin.get(`/api/admin/webhooks/${endpoint.id}`)).body.endpoint.active).toBe(true);
  });

  it('shows the secret once at creation and on rotation, never in listings', async () => {
    const { endpoint, secret } = await createEndpoint(admin, { name: 'Slack #incidents', url: 'https://hooks.slack.com/services/T/B/X', format: 'slack', audiences: ['public', 'leadership', 'public'] });
    expect(secret).toMatch(/^whsec_[a-z0-9]{32}$/);
    expect(endpoint).toMatchObject({ name: 'Slack #incidents', format: 'slack', audiences: ['leadership', 'public'], active: true, pending: 0, failed: 0 });
    expect(endpoint).not.toHaveProperty('secret');
    const list = await admin.get('/api/admin/webhooks');
    expect(list.body.endpoints.find((e: { id: string }) => e.id === endpoint.id)).toBeTruthy();
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify((await admin.get(`/api/admin/webhooks/${endpoint.id}`)).body)).not.toContain(secret);

    const rotated = await admin.post(`/api/admin/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
  });

  it('accepts only http and https URLs and says what was wrong', async () => {
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/plain,hi', 'gopher://example.com', 'not a url', 'http://', '']) {
      const response = await admin.post('/api/admin/webhooks', { name: 'Bad', url, audiences: ['public'], format: 'json' });
      expect(response.status, url).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'invalid_input', field: 'url' });
    }
    const { endpoint } = await createEndpoint(admin, { url: 'http://127.0.0.1:9/hook' });
    const patched = await admin.request('PATCH', `/api/admin/webhooks/${endpoint.id}`, { url: 'file:///etc/passwd' });
    expect(patched.status).toBe(400);
    expect((await admin.post('/api/admin/webhooks', { name: 'x', url: 'https://example.com', audiences: [], format: 'json' })).body.error.field).toBe('audiences');
    expect((await admin.post('/api/admin/webhooks', { name: 'x', url: 'https://example.com', audiences: ['everyone'], format: 'json' })).status).toBe(400);
    expect((await admin.post('/api/admin/webhooks', { name: 'x', url: 'https://example.com', audiences: ['public'], format: 'xml' })).body.error.field).toBe('format');
    expect((await admin.request('PATCH', `/api/admin/webhooks/${endpoint.id}`, {})).status).toBe(400);
  });

  it('updates, deactivates and deletes endpoints; unknown ids are 404', async () => {
    const { endpoint } = await createEndpoint(admin, { url: 'https://example.com/one' });
    const patched = await admin.request('PATCH', `/api/admin/webhooks/${endpoint.id}`, { name: 'Renamed', active: false, audiences: ['support'] });
    expect(patched.status).toBe(200);
    expect(patched.body.endpoint).toMatchObject({ name: 'Renamed', active: false, audiences: ['support'], url: 'https://example.com/one' });
    const test = await admin.post(`/api/admin/webhooks/${endpoint.id}/test`);
    expect(test.status).toBe(409);
    expect(test.body.error.code).toBe('endpoint_inactive');

    expect((await admin.request('DELETE', `/api/admin/webhooks/${endpoint.id}`)).status).toBe(200);
    expect((await admin.request('DELETE', `/api/admin/webhooks/${endpoint.id}`)).status).toBe(404);
    expect((await admin.get(`/api/admin/webhooks/${endpoint.id}/deliveries`)).status).toBe(404);
    expect((await admin.post(`/api/admin/webhooks/nosuchid/test`)).status).toBe(404);
    expect((await admin.post('/api/admin/webhooks/deliveries/nosuchid/retry')).status).toBe(404);
    expect((await admin.get('/api/admin/webhooks/NOT-AN-ID')).status).toBe(400);
  });
});
