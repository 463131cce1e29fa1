/**
 * A publication writes its version's texts ahead of its transaction, into a
 * row numbered below zero, and the transaction gives that row its number:
 * what is published must be exactly what was staged, nothing staged may be
 * seen as a version or outlive its publication, and publishing must not copy
 * the texts while the transaction holds the database.
 */
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPostmortem } from '../../server/postmortem/commands.ts';
import { findVersion } from '../../server/postmortem/repo.ts';
import { addActionItem, postmortemDocId } from '../../server/shared/postmortem-doc.ts';
import { discardAbandonedStagedVersions, discardStagedVersion, publishStagedVersion, stageVersionTexts } from '../../server/postmortem/version-staging.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { observedSql } from '../helpers/observed-sql.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('staged postmortem versions (%s)', (backend) => {
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

  const stagedNumbers = async () => (await db.sql<{ version: number }>`select version from postmortem_version_rows where version < 0 order by version`).map((row) => row.version);
  const publishedBy = () => ({ id: cast.commander.user.id, displayName: 'Cora' });

  it('publishes exactly the staged texts, large and non-ASCII, and keeps nothing staged', async () => {
    const incident = await declare(cast.commander);
    const snapshot = { sections: { summary: `Zählerstand 🧯 "quoted" \\ ${'lorem ipsum '.repeat(20_000)}` }, actionItems: [{ title: 'Füge Alarme hinzu', owner: null }] };
    const markdown = `# Überblick 🧯\n\n${'*a **b [a]( '.repeat(30_000)}`;
    const html = `<h1>Überblick 🧯</h1><p>${'lorem &amp; ipsum '.repeat(30_000)}</p>`;
    const staged = await stageVersionTexts(db.sql, { incidentId: incident.id, snapshot: JSON.stringify(snapshot), markdown, html });
    const publishedAt = new Date('2026-12-07T03:00:00Z');

    const moved = await db.sql.begin((tx) => publishStagedVersion(tx, staged, { incidentId: incident.id, version: 1, publishedAt, publishedBy: publishedBy() }));

    expect(moved).toBe(true);
    const version = await findVersion(db.sql, incident.id, 1);
    expect(version).toMatchObject({ version: 1, markdown, html, publishedBy: publishedBy() });
    expect(version!.snapshot).toEqual(snapshot);
    expect(version!.publishedAt.getTime()).toBe(publishedAt.getTime());
    expect(await stagedNumbers()).not.toContain(staged.number);
  });

  it('shows a staged row to no reader of versions until it is published, and publishes it without copying its texts', async () => {
    const incident = await declare(cast.commander);
    const markdown = `# Long\n\n${'word '.repeat(300_000)}`;
    const staged = await stageVersionTexts(db.sql, { incidentId: incident.id, snapshot: JSON.stringify({ sections: { summary: 'x' } }), markdown, html: `<p>${markdown}</p>` });
    expect(await db.sql`select version from postmortem_versions where incident_id = ${incident.id}`).toEqual([]);
    expect(await findVersion(db.sql, incident.id, staged.number)).toBeNull();
    const stored = async () => (await db.sql<{ bytes: number }>`select pg_total_relation_size('postmortem_version_rows')::int as bytes`)[0].bytes;
    const before = await stored();

    await db.sql.begin((tx) => publishStagedVersion(tx, staged, { incidentId: incident.id, version: 1, publishedAt: new Date(), publishedBy: publishedBy() }));

    expect(await db.sql`select version from postmortem_versions where incident_id = ${incident.id}`).toEqual([{ version: 1 }]);
    expect((await findVersion(db.sql, incident.id, 1))!.markdown).toBe(markdown);
    // 3 MB of texts were staged; a copy would add as much again (a new row and its index entries take a page or two).
    expect((await stored()) - before).toBeLessThan(64 * 1024);
  });

  it("never publishes one incident's staged texts as another's version", async () => {
    const [mine, theirs] = [await declare(cast.commander), await declare(cast.commander)];
    const staged = await stageVersionTexts(db.sql, { incidentId: mine.id, snapshot: '{"sections":{}}', markdown: '# Mine', html: '<h1>Mine</h1>' });

    const moved = await publishStagedVersion(db.sql, staged, { incidentId: theirs.id, version: 1, publishedAt: new Date(), publishedBy: publishedBy() });

    expect(moved).toBe(false);
    expect(await findVersion(db.sql, theirs.id, 1)).toBeNull();
    expect(await stagedNumbers()).toContain(staged.number);
    await discardStagedVersion(db.sql, staged);
    expect(await stagedNumbers()).not.toContain(staged.number);
  });

  it('removes texts staged by a publication that never finished once they are an hour old, and no younger ones', async () => {
    const incident = await declare(cast.commander);
    const texts = { incidentId: incident.id, snapshot: '{}', markdown: '# Draft', html: '<h1>Draft</h1>' };
    const [abandoned, inFlight] = [await stageVersionTexts(db.sql, texts), await stageVersionTexts(db.sql, texts)];
    await db.sql`update postmortem_version_rows set published_at = now() - interval '61 minutes' where incident_id = ${incident.id} and version = ${abandoned.number}`;

    expect(await discardAbandonedStagedVersions(db.sql)).toBe(1);

    const left = await stagedNumbers();
    expect(left).toContain(inFlight.number);
    expect(left).not.toContain(abandoned.number);
    await discardStagedVersion(db.sql, inFlight);
  });

  it('deletes the texts it staged when its transaction refuses the publication', async () => {
    const incident = await declare(cast.commander);
    for (const state of ['resolved', 'closed']) expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state })).status).toBe(200);
    const dueDate = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await server.collab.changeDocument(postmortemDocId(incident.id), null, (doc) => {
      doc.getMap<Y.Text>('sections').get('summary')!.insert(0, 'Checkout failed for 40 minutes.');
      addActionItem(doc, { title: 'Alert on pool saturation', owner: { id: cast.responder.user.id, name: 'Rey' }, dueDate, kind: 'immediate', priority: 'p1' });
    });
    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/submit`)).status).toBe(200);
    // Once the texts are staged, the item's owner leaves: the transaction's own check refuses.
    const sql = observedSql(db.sql, (strings, result) => {
      if (strings.join('$').includes('set html')) void result.then(() => db.sql`update users set active = false where id = ${cast.responder.user.id}`);
    });
    try {
      const result = await publishPostmortem(sql, server.live, { id: cast.commander.user.id, displayName: 'Cora', isAdmin: false }, incident.number);

      expect(result).toMatchObject({ ok: false, status: 422, code: 'not_ready' });
      expect(await db.sql`select 1 from postmortem_version_rows where incident_id = ${incident.id}`).toEqual([]);
      expect(await findVersion(db.sql, incident.id, 1)).toBeNull();
    } finally {
      await db.sql`update users set active = true where id = ${cast.responder.user.id}`;
    }
  });
});
