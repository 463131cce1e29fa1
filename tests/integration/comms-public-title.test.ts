import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey } from '../helpers/comms.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// The internal title often names systems or customers; the public only ever sees the status page's title.
describe.each(backends)('{{title}} in public updates (%s)', (backend) => {
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

  it('fills {{title}} with the public title for the public audience and the internal one for others', async () => {
    const incident = await declare(cast.commander, { title: 'Primary DB pg-eu-7 for Acme Corp is down' });
    const page = await cast.commander.client.post(`/api/incidents/${incident.ref}/status-page`, { public: true, publicTitle: 'Checkout errors' });
    expect(page.status, JSON.stringify(page.body)).toBe(200);

    const publish = (audience: string) =>
      cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, { audience, body: 'Update on {{title}}', idempotencyKey: newKey() });
    const pub = await publish('public');
    expect(pub.status, JSON.stringify(pub.body)).toBe(201);
    expect(pub.body.update.bodyMarkdown).toBe('Update on Checkout errors');
    const leadership = await publish('leadership');
    expect(leadership.body.update.bodyMarkdown).toContain('Acme Corp');

    const html = await (await fetch(`${server.url}/status/${page.body.statusPage.slug}`)).text();
    expect(html).toContain('Update on Checkout errors');
    expect(html).not.toContain('Acme');
  });
});
