/**
 * A published postmortem version's response is kept serialised (a version
 * never changes, and serialising a large one on every read held the server's
 * thread). Whether the reader may see the incident is still decided on every
 * request: a body an insider warmed must never reach an outsider.
 */
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addActionItem, postmortemDocId } from '../../server/shared/postmortem-doc.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { observedSql } from '../helpers/observed-sql.ts';
import { incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('reading a published postmortem version (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;

  /** Statements the server sent about stored versions. */
  let versionStatements = 0;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    const counting = observedSql(db.sql, (strings) => {
      if (strings.some((part) => part.includes('postmortem_versions'))) versionStatements++;
    });
    server = await startTestServer({ ...db, sql: counting });
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const ok = async (request: Promise<{ status: number; body: any }>) => {
    const response = await request;
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  /** A private incident, closed, its postmortem published as version 1. */
  async function publishedPrivateIncident(summary = 'Checkout failed for 40 minutes.') {
    const incident = await privateIncident(cast);
    for (const state of ['resolved', 'closed']) await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state }));
    await server.collab.changeDocument(postmortemDocId(incident.id), null, (doc: Y.Doc) => {
      doc.getMap<Y.Text>('sections').get('summary')!.insert(0, summary);
      const dueDate = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
      addActionItem(doc, { title: 'Alert on pool saturation', owner: { id: cast.responder.user.id, name: 'Rey' }, dueDate, kind: 'immediate', priority: 'p1' });
    });
    const base = `/api/incidents/${incident.ref}/postmortem`;
    await ok(cast.responder.client.post(`${base}/submit`));
    await ok(cast.commander.client.post(`${base}/publish`));
    return { base, incidentId: incident.id };
  }

  it('serves the same body to every reader who may see it, and still 404 to an outsider once it is cached', async () => {
    const { base, incidentId } = await publishedPrivateIncident();
    const first = await cast.observer.client.get(`${base}/versions/1`);
    const second = await cast.observer.client.get(`${base}/versions/1`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(second.body).toEqual(first.body);
    expect(first.body).toMatchObject({ version: 1, snapshot: { incidentId }, markdown: expect.stringContaining('Alert on pool saturation') });
    expect(await ok(cast.commander.client.get(`${base}/versions/1`))).toEqual(first.body);

    const outsider = await cast.outsider.client.get(`${base}/versions/1`);
    expect(outsider.status).toBe(404);
    expect(JSON.stringify(outsider.body)).not.toContain('Alert on pool saturation');
    expect((await cast.anonymous.get(`${base}/versions/1`)).status).toBe(401);
    // A version not published is not found, cached neighbours or not.
    expect((await cast.observer.client.get(`${base}/versions/2`)).status).toBe(404);
  });

  it('reads a version with one query, the first time and every time after', async () => {
    const { base } = await publishedPrivateIncident();
    const statementsFor = async (path: string) => {
      const before = versionStatements;
      await ok(cast.observer.client.get(path));
      return versionStatements - before;
    };
    expect(await statementsFor(`${base}/versions/1`)).toBe(1);
    expect(await statementsFor(`${base}/versions/1`)).toBe(1);
  });

  it('serves the new body of a version replaced under the same number (a demo reset re-seeds its incidents)', async () => {
    const { base, incidentId } = await publishedPrivateIncident();
    expect((await ok(cast.observer.client.get(`${base}/versions/1`))).markdown).toContain('Alert on pool saturation');
    await db.sql`
      update postmortem_versions set markdown = 'Re-seeded.', html = '<p>Re-seeded.</p>', published_at = published_at + interval '1 minute'
      where incident_id = ${incidentId} and version = 1`;
    expect(await ok(cast.observer.client.get(`${base}/versions/1`))).toMatchObject({ markdown: 'Re-seeded.', html: '<p>Re-seeded.</p>' });
  });

  it('stores a large version uncompressed, so publishing it does not compress megabytes on the server\'s thread', async () => {
    const summary = 'Checkout failed: the pool was saturated. '.repeat(1200);
    const { base, incidentId } = await publishedPrivateIncident(summary);
    const [stored] = await db.sql<{ snapshot: string | null; markdown: string | null; html: string | null; bytes: number }>`
      select pg_column_compression(snapshot) as snapshot, pg_column_compression(markdown) as markdown,
        pg_column_compression(html) as html, octet_length(markdown) as bytes
      from postmortem_versions where incident_id = ${incidentId} and version = 1`;
    expect(stored.bytes).toBeGreaterThan(summary.length);
    expect(stored).toMatchObject({ snapshot: null, markdown: null, html: null });
    expect((await ok(cast.observer.client.get(`${base}/versions/1`))).markdown).toContain(summary.trim());
  });

  it('keeps each incident\'s versions apart', async () => {
    const one = await publishedPrivateIncident();
    const two = await publishedPrivateIncident();
    expect((await ok(cast.observer.client.get(`${one.base}/versions/1`))).snapshot.incidentId).toBe(one.incidentId);
    expect((await ok(cast.observer.client.get(`${two.base}/versions/1`))).snapshot.incidentId).toBe(two.incidentId);
  });
});
