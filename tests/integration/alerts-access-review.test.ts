import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../helpers/api-tokens.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('alert ingestion access review (%s)', (backend) => {
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

  const alert = (fingerprint: string) => ({ source: 'grafana', fingerprint, summary: 'Disk full', service: 'payroll' });

  it('does not let a member’s personal token post alerts their session may not', async () => {
    const session = await cast.responder.client.post('/api/alerts', alert('review-session'));
    expect(session.status).toBe(403);
    const { client } = await createApiToken(server, cast.responder.client, { scopes: ['alerts:write'] });
    const posted = await client.request('POST', '/api/alerts', alert('review-member-token'));
    expect(posted.status, JSON.stringify(posted.body)).toBe(403);
    expect(posted.body.error.code).toBe('forbidden');
    expect(await db.sql`select id from alerts where fingerprint like 'review-%'`).toHaveLength(0);
  });

  it('still accepts an admin’s personal token and a service token with alerts:write', async () => {
    const mine = await createApiToken(server, cast.admin.client, { scopes: ['alerts:write'] });
    expect((await mine.client.request('POST', '/api/alerts', alert('ok-admin-token'))).status).toBe(200);
    const service = await createApiToken(server, cast.admin.client, { name: 'Grafana', scopes: ['alerts:write'] }, { service: true });
    expect((await service.client.request('POST', '/api/alerts', alert('ok-service-token'))).status).toBe(200);
  });
});
