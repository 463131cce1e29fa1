import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { publishPostmortem } from './search-support.ts';

/** Ranking on a small corpus: where a word appears decides the order (title, then summary and factors, then the rest). */
describe.each(backends)('search ranking (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const refs: Record<string, string> = {};

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    // Declared in the reverse of the expected order, so recency cannot explain the result.
    const inDetail = await declare(cast.commander, { title: 'Gateway errors after deploy', severity: 2, summary: 'Elevated 5xx at the edge.' });
    await publishPostmortem(server, cast.commander, inDetail, {
      summary: 'Errors for twenty minutes.',
      sections: { investigation: 'The quokka canary had been disabled, so the bad build went everywhere.' },
      factors: [{ category: 'process', description: 'Canary stage skipped under time pressure' }],
    });
    refs.detail = inDetail.ref;
    const inFactor = await declare(cast.commander, { title: 'Image uploads failing', severity: 2, summary: 'Uploads returned 413.' });
    await publishPostmortem(server, cast.commander, inFactor, {
      summary: 'Uploads failed for an hour.',
      factors: [{ category: 'technical', description: 'The quokka proxy kept an old body-size limit' }],
    });
    refs.factor = inFactor.ref;
    refs.summary = (await declare(cast.commander, { title: 'Login slow', severity: 3, summary: 'The quokka session store was swapping.' })).ref;
    refs.title = (await declare(cast.commander, { title: 'Quokka queue stuck', severity: 3, summary: 'Jobs piled up for an hour.' })).ref;

    refs.near = (await declare(cast.commander, { title: 'Orders delayed', severity: 3, summary: 'Worker pool exhaustion during the batch run.' })).ref;
    refs.far = (await declare(cast.commander, { title: 'Reports delayed', severity: 3, summary: 'The pool was fine; the real cause was memory exhaustion in the renderer after a long day.' })).ref;
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const order = async (q: string) => (await cast.admin.client.get(`/api/search?q=${encodeURIComponent(q)}`)).body.results.map((r: any) => r.ref);

  it('ranks a title hit above a summary hit above a contributing factor above a postmortem section', async () => {
    // Summary and factors share weight B; the summary is the shorter document, so it comes first.
    expect(await order('quokka')).toEqual([refs.title, refs.summary, refs.factor, refs.detail]);
  });

  it('ranks words close together above the same words far apart', async () => {
    expect(await order('pool exhaustion')).toEqual([refs.near, refs.far]);
  });

  it('returns the ranks in descending order', async () => {
    const results = (await cast.admin.client.get('/api/search?q=quokka')).body.results;
    const ranks = results.map((r: any) => r.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(new Set(ranks).size).toBe(ranks.length);
  });
});
