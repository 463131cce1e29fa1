import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findVersion, insertVersion } from '../../server/postmortem/repo.ts';
import { refreshSearchBehindVersions } from '../../server/search/refresh.ts';
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
});
