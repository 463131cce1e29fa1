import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// PostgreSQL text and jsonb cannot hold U+0000: input carrying it must be refused with a 400, not reach the database.
const NUL = '\u0000';
const Q = encodeURIComponent(NUL);

describe.each(backends)('input review of the new routes (%s)', (backend) => {
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

  it('refuses a NUL character in query strings with a 400 naming the field', async () => {
    for (const [path, field] of [
      [`/api/search?service=a${Q}`, 'service'],
      [`/api/action-items?service=a${Q}`, 'service'],
      [`/api/metrics?service=a${Q}`, 'service'],
      [`/api/runbooks?q=a${Q}`, 'q'],
      [`/api/runbooks?service=a${Q}`, 'service'],
    ]) {
      const response = await cast.admin.client.get(path);
      expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'invalid_input', field });
    }
  });

  it('refuses a NUL character in JSON bodies with a 400 naming the field', async () => {
    const incident = await declare(cast.commander, { title: 'Disk full' });
    for (const [path, body, field] of [
      ['/api/runbooks', { title: `a${NUL}b`, body: 'x' }, 'title'],
      ['/api/runbooks', { title: 'Fine', body: `x${NUL}` }, 'body'],
      ['/api/alerts', { source: 'grafana', fingerprint: `f${NUL}`, summary: 's' }, 'fingerprint'],
      ['/api/admin/alert-rules', { name: `r${NUL}`, matchers: [], action: 'inbox' }, 'name'],
      ['/api/me/tokens', { name: `n${NUL}`, scopes: ['incidents:read'] }, 'name'],
      [`/api/incidents/${incident.ref}/timeline`, { kind: 'note', text: `a${NUL}b` }, 'text'],
    ] as const) {
      const response = await cast.admin.client.post(path, body);
      expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'invalid_input', field });
    }
  });

  it('answers a malformed runbook or action item id with a 4xx', async () => {
    const runbook = await cast.admin.client.get(`/api/runbooks/a${Q}`);
    expect(runbook.status).toBe(404);
    expect(runbook.body.error.code).toBe('not_found');
    const item = await cast.admin.client.request('PATCH', `/api/action-items/a${Q}`, { status: 'done' });
    expect(item.status, JSON.stringify(item.body)).toBe(400);
    expect(item.body.error.code).toBe('invalid_input');
  });

  it('answers a quarter past the calendar’s end with a 400', async () => {
    const response = await cast.admin.client.get('/api/patterns?quarter=9999-Q4');
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'invalid_input', field: 'quarter' });
    expect((await cast.admin.client.get('/api/patterns?quarter=2026-Q3')).status).toBe(200);
  });
});
