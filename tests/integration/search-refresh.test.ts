import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findVersion, insertVersion } from '../../server/postmortem/repo.ts';
import { upsertActionItems } from '../../server/postmortem/action-items.ts';
import type { ActionItemDraft } from '../../server/shared/postmortem-doc.ts';
import { deferSearchRefresh, refreshIncidentSearch, refreshSearchBehindVersions } from '../../server/search/refresh.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ok, publishPostmortem } from './search-support.ts';

describe.each(backends)('a published postmortem in search (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const found = async (word: string) =>
    (await ok(cast.commander.client.get(`/api/search?${new URLSearchParams({ q: word })}`))).results.map((r: { ref: string }) => r.ref);

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('is found as soon as publishing answers, and a version the process stopped before indexing is indexed at the next start', async () => {
    const incident = await declare(cast.commander, { title: 'Queue backlog', severity: 3, services: ['queue'], summary: 'Consumers stalled.' });
    await publishPostmortem(server, cast.commander, incident, { summary: 'The marmoset consumer stalled on a poison message.' });
    expect(await found('marmoset')).toEqual([incident.ref]);

    // A second version committed by a process that stopped before indexing it (written here without the indexing).
    const first = (await findVersion(db.sql, incident.id, 1))!;
    const snapshot = { ...first.snapshot, sections: { ...first.snapshot.sections, summary: 'The capybara consumer stalled on a poison message.' } };
    await insertVersion(db.sql, { incidentId: incident.id, version: 2, snapshot, markdown: first.markdown, html: first.html ?? '', publishedAt: new Date(), publishedBy: { id: cast.commander.user.id, displayName: 'C' } });
    expect(await found('capybara')).toEqual([]);

    expect(await refreshSearchBehindVersions(db.sql)).toBeGreaterThanOrEqual(1);
    expect(await found('capybara')).toEqual([incident.ref]);
    expect(await found('marmoset')).toEqual([]);
  });

  it("leaves action items' refreshes out of a transaction that refreshes after it commits, and only that one", async () => {
    const incident = await declare(cast.commander, { title: 'Cache stampede', severity: 3, services: ['cache'], summary: 'Misses everywhere.' });
    await publishPostmortem(server, cast.commander, incident, { summary: 'The cache emptied.', actionItems: ['Stagger the quokka expiry'] });
    // Publishing refreshes once it has committed: its items are found as soon as it answers.
    expect(await found('quokka')).toEqual([incident.ref]);

    const item = (title: string): ActionItemDraft => ({
      id: `item-${title}`, title, owner: null, dueDate: null, kind: 'structural', priority: 'p2', status: 'open', problemCategory: '', createdAt: new Date().toISOString(),
    });
    const entryBody = async (sql: typeof db.sql) => (await sql<{ body: string }>`select body from incident_search where incident_id = ${incident.id}`)[0].body;
    await db.sql.begin(async (tx) => {
      await deferSearchRefresh(tx);
      await upsertActionItems(tx, incident.id, [item('Shard the wombat keys')]);
      expect(await entryBody(tx)).not.toContain('wombat');
    });
    expect(await found('wombat')).toEqual([]);
    await refreshIncidentSearch(db.sql, incident.id);
    expect(await found('wombat')).toEqual([incident.ref]);

    // The setting ended with its transaction: an item written afterwards refreshes the entry itself.
    await db.sql.begin(async (tx) => upsertActionItems(tx, incident.id, [item('Warm the okapi tier')]));
    expect(await found('okapi')).toEqual([incident.ref]);
  });
});

describe.each(backends)('a long published postmortem in search (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const found = async (words: string) =>
    (await ok(cast.commander.client.get(`/api/search?${new URLSearchParams({ q: words })}`))).results.map((r: { ref: string }) => r.ref);
  const lexemes = async (incidentId: string) =>
    (await db.sql<{ lexeme: string }>`select unnest(tsvector_to_array(document)) as lexeme from incident_search where incident_id = ${incidentId}`).map((r) => r.lexeme).sort();

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('is stemmed in pieces to the same words as stemmed whole, and kept when the incident or its action items change', async () => {
    // 45,000 characters of investigation: several pieces, a marker word in the first, a middle and the last.
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `replica${i % 50} lagged behind the primary`).join(' ');
    const investigation = `ocelot ${filler(600)} pangolin ${filler(600)} wombat`;
    const incident = await declare(cast.commander, { title: 'Replica lag', severity: 2, services: ['db'], summary: 'Reads went stale.' });
    await publishPostmortem(server, cast.commander, incident, { summary: 'The narwhal replica fell behind.', sections: { investigation }, actionItems: ['Alert on quokka lag'] });
    for (const word of ['ocelot', 'pangolin', 'wombat', 'narwhal', 'quokka']) expect(await found(word), word).toEqual([incident.ref]);
    const [ready] = await db.sql<{ search_ready: boolean }>`select search_ready from postmortem_versions where incident_id = ${incident.id}`;
    expect(ready.search_ready).toBe(true);
    const inPieces = await lexemes(incident.id);

    // The same version stemmed whole, as a refresh does for a version not ready.
    await db.sql`update postmortem_versions set search_ready = false where incident_id = ${incident.id}`;
    await db.sql`select incident_search_refresh(${incident.id})`;
    expect(await lexemes(incident.id)).toEqual(inPieces);
    await db.sql`update postmortem_versions set search_ready = true where incident_id = ${incident.id}`;

    // The incident's own fields and its action items change; the version's words stay.
    // (Their triggers refresh the entry.)
    await db.sql`update incidents set summary = 'Reads went stale for the axolotl tenant.' where id = ${incident.id}`;
    await db.sql`update action_items set title = 'Alert on quokka and dugong lag' where incident_id = ${incident.id}`;
    expect(await found('axolotl')).toEqual([incident.ref]);
    expect(await found('dugong')).toEqual([incident.ref]);
    expect(await found('wombat')).toEqual([incident.ref]);
    expect(await found('narwhal')).toEqual([incident.ref]);
    expect(await found('quokka')).toEqual([incident.ref]);
  });

  it('indexes at start-up a newest version whose pieces were never finished', async () => {
    const incident = await declare(cast.commander, { title: 'Cache stampede', severity: 3, services: ['cache'], summary: 'Misses spiked.' });
    await publishPostmortem(server, cast.commander, incident, { summary: 'The tapir key expired everywhere at once.' });
    // As a process stopping half-way leaves it: pieces started over, not ready.
    await db.sql`update postmortem_versions set search_ready = false, search_detail = ''::tsvector where incident_id = ${incident.id}`;
    expect(await refreshSearchBehindVersions(db.sql)).toBeGreaterThanOrEqual(1);
    const [ready] = await db.sql<{ search_ready: boolean }>`select search_ready from postmortem_versions where incident_id = ${incident.id}`;
    expect(ready.search_ready).toBe(true);
    expect(await found('tapir')).toEqual([incident.ref]);
  });
});
