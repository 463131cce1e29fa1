import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { ok, publishPostmortem, resolveAndClose } from './search-support.ts';

describe.each(backends)('knowledge-base search (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const refs: Record<string, string> = {};

  const search = (person: Person, query: Record<string, string>) => person.client.get(`/api/search?${new URLSearchParams(query)}`);
  const refsOf = (body: any) => body.results.map((r: any) => r.ref);

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);

    const checkout = await declare(cast.commander, {
      title: 'Checkout latency spike',
      severity: 2,
      services: ['checkout', 'payments'],
      summary: 'Card payments took 30 seconds at peak.',
      startedAt: '2026-03-10T09:00:00.000Z',
    });
    await publishPostmortem(server, cast.commander, checkout, {
      summary: 'Checkout slowed to a crawl for 40 minutes.',
      sections: { investigation: 'We ruled out the CDN, then found <script>alert(1)</script> in no log at all.' },
      factors: [
        { category: 'technical', description: 'Connection pool exhaustion under a retry storm from the mobile client' },
        { category: 'process', description: 'No load test before the sale' },
      ],
      actionItems: ['Cap client retries with jitter'],
    });
    refs.checkout = checkout.ref;

    const ledger = await privateIncident(cast, {
      title: 'Ledger replication lag',
      severity: 1,
      services: ['ledger'],
      summary: 'Replica fell behind by an hour; quokka reports were stale.',
      startedAt: '2026-05-02T12:00:00.000Z',
    });
    refs.ledger = ledger.ref;

    const drill = await declare(cast.commander, {
      title: 'Game day: checkout failover',
      severity: 3,
      services: ['checkout'],
      drill: true,
      summary: 'Planned failover of the checkout database.',
      startedAt: '2026-04-01T10:00:00.000Z',
    });
    refs.drill = drill.ref;

    const search = await declare(cast.commander, {
      title: 'Search results missing',
      severity: 4,
      services: ['search'],
      summary: 'Indexer timeouts left results stale.',
      startedAt: '2026-06-20T08:00:00.000Z',
    });
    await resolveAndClose(cast.commander, search.ref);
    refs.search = search.ref;
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('finds a published postmortem by a phrase from its contributing factors, highlighted, linking to the postmortem', async () => {
    const { body } = await search(cast.outsider, { q: '"retry storm"' });
    expect(body.total).toBe(1);
    const [hit] = body.results;
    expect(hit).toMatchObject({
      ref: refs.checkout,
      title: 'Checkout latency spike',
      severity: 2,
      services: ['checkout', 'payments'],
      postmortemVersion: 1,
      url: `/incidents/${refs.checkout}/postmortem`,
      categories: expect.arrayContaining(['technical', 'process']),
      drill: false,
      private: false,
    });
    const marked = hit.snippet.filter((s: any) => s.hit).map((s: any) => s.text.toLowerCase());
    expect(marked).toContain('retry storm');
    expect(hit.snippet.map((s: any) => s.text).join('')).toContain('Connection pool exhaustion under a');
    // Words the other way round are not the phrase.
    expect((await search(cast.outsider, { q: '"storm retry"' })).body.total).toBe(0);
  });

  it('stems words: "timeout" finds "timeouts", "failing" finds nothing it should not', async () => {
    const { body } = await search(cast.outsider, { q: 'timeout' });
    expect(refsOf(body)).toEqual([refs.search]);
    expect(body.results[0].url).toBe(`/incidents/${refs.search}`);
    expect(body.results[0].postmortemVersion).toBeNull();
    expect(refsOf((await search(cast.outsider, { q: 'index*' })).body)).toEqual([refs.search]);
    expect((await search(cast.outsider, { q: 'timeout -indexer' })).body.total).toBe(0);
  });

  it('shows a private incident only to its participants and admins', async () => {
    for (const person of [cast.admin, cast.commander, cast.responder, cast.observer]) {
      const { body } = await search(person, { q: 'quokka' });
      expect(refsOf(body), person.user.displayName).toEqual([refs.ledger]);
      expect(body.results[0].private).toBe(true);
    }
    const outsider = await search(cast.outsider, { q: 'quokka' });
    expect(outsider.body).toEqual({ total: 0, limit: 20, offset: 0, results: [] });
    // Nor through a filter or an empty query: the incident is simply not there for them.
    expect(refsOf((await search(cast.outsider, { q: '', service: 'ledger' })).body)).toEqual([]);
    expect(refsOf((await search(cast.admin, { q: '', service: 'ledger' })).body)).toEqual([refs.ledger]);
    expect((await cast.anonymous.get('/api/search?q=quokka')).status).toBe(401);
  });

  it('filters by service, severity, date range, factor category and drills', async () => {
    const all = (query: Record<string, string>) => search(cast.admin, query).then((r) => (r.status === 200 ? [...refsOf(r.body)].sort() : r.body));
    const sorted = (...names: string[]) => names.map((n) => refs[n]).sort();
    expect(await all({ q: 'checkout' })).toEqual(sorted('checkout'));
    expect(await all({ q: 'checkout', drills: 'include' })).toEqual(sorted('checkout', 'drill'));
    expect(await all({ q: 'checkout', drills: 'only' })).toEqual(sorted('drill'));
    expect(await all({ service: 'checkout,search' })).toEqual(sorted('checkout', 'search'));
    expect(await all({ service: 'Payments' })).toEqual(sorted('checkout'));
    expect(await all({ severity: '1,4' })).toEqual(sorted('ledger', 'search'));
    expect(await all({ from: '2026-05-02', to: '2026-06-20' })).toEqual(sorted('ledger', 'search'));
    expect(await all({ from: '2026-05-03' })).toEqual(sorted('search'));
    expect(await all({ to: '2026-05-01' })).toEqual(sorted('checkout'));
    expect(await all({ category: 'process' })).toEqual(sorted('checkout'));
    expect(await all({ category: 'tooling' })).toEqual([]);
    // Without words, newest first.
    const newest = await search(cast.admin, {});
    expect(refsOf(newest.body)).toEqual([refs.search, refs.ledger, refs.checkout]);
  });

  it('pages through results with a stable total', async () => {
    const first = (await search(cast.admin, { limit: '2' })).body;
    const second = (await search(cast.admin, { limit: '2', offset: '2' })).body;
    const beyond = (await search(cast.admin, { limit: '2', offset: '10' })).body;
    expect([first.total, second.total, beyond.total]).toEqual([3, 3, 3]);
    expect([...refsOf(first), ...refsOf(second)]).toEqual([refs.search, refs.ledger, refs.checkout]);
    expect(beyond.results).toEqual([]);
  });

  it('returns text as plain segments, so markup in an incident stays text', async () => {
    const { body } = await search(cast.admin, { q: 'cdn' });
    const text = body.results[0].snippet.map((s: any) => s.text).join('');
    expect(text).toContain('ruled out the');
    expect(body.results[0].snippet.some((s: any) => s.hit && s.text === 'CDN')).toBe(true);
    expect(JSON.stringify(body)).not.toMatch(/<mark|<b>/);
    expect(body.results[0].titleSegments).toEqual([{ text: 'Checkout latency spike', hit: false }]);
    const titled = (await search(cast.admin, { q: 'latency' })).body.results[0];
    expect(titled.titleSegments).toEqual([
      { text: 'Checkout ', hit: false },
      { text: 'latency', hit: true },
      { text: ' spike', hit: false },
    ]);
  });

  it('keeps the index current as incidents change and postmortems are published', async () => {
    const incident = await declare(cast.commander, { title: 'Webhook backlog', severity: 3, services: ['webhooks'] });
    expect((await search(cast.admin, { q: 'backlog' })).body.total).toBe(1);
    await ok(cast.commander.client.request('PATCH', `/api/incidents/${incident.ref}`, { title: 'Webhook delivery stalled', summary: 'The outbox worker wedged on a poison message.' }));
    expect((await search(cast.admin, { q: 'backlog' })).body.total).toBe(0);
    expect(refsOf((await search(cast.admin, { q: 'poison message' })).body)).toEqual([incident.ref]);
    expect((await search(cast.admin, { q: 'dead letter queue' })).body.total).toBe(0);
    // The copies the filters read follow too: made private, it leaves an outsider's results; a new severity filters.
    expect((await search(cast.outsider, { q: 'poison' })).body.total).toBe(1);
    await ok(cast.commander.client.request('PATCH', `/api/incidents/${incident.ref}`, { private: true, services: ['outbox'] }));
    await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/severity`, { severity: 1 }));
    expect((await search(cast.outsider, { q: 'poison' })).body.total).toBe(0);
    expect(refsOf((await search(cast.commander, { q: 'poison', severity: '1', service: 'outbox' })).body)).toEqual([incident.ref]);

    await publishPostmortem(server, cast.commander, incident, {
      summary: 'Deliveries stopped for two hours.',
      factors: [{ category: 'tooling', description: 'No dead letter queue for the outbox' }],
      actionItems: ['Add a dead letter queue'],
    });
    const after = (await search(cast.admin, { q: '"dead letter queue"' })).body;
    expect(refsOf(after)).toEqual([incident.ref]);
    expect(after.results[0]).toMatchObject({ postmortemVersion: 1, categories: ['tooling'], url: `/incidents/INC-${incident.number}/postmortem` });
    const [row] = await db.sql<{ document: string }>`select document::text as document from incident_search s join incidents i on i.id = s.incident_id where i.number = ${incident.number}`;
    // Title A, factor B, action item C.
    expect(row.document).toMatch(/'webhook':1A/);
    expect(row.document).toMatch(/'letter':\d+B/);
    expect(row.document).toMatch(/'letter':(\d+[BC],)*\d+C/);
  });

  it('indexes the first pages of a very long postmortem, and does not re-index it for action items that did not change', async () => {
    const long = await declare(cast.commander, { title: 'Very long postmortem', severity: 3, services: ['archive'], summary: 'Long.', startedAt: '2026-06-01T10:00:00.000Z' });
    const filler = (word: string) => `${word} `.repeat(7_000).slice(0, 49_000);
    await publishPostmortem(server, cast.commander, long, {
      summary: 'The archive job ran long.',
      sections: { investigation: `Zebracorn first. ${filler('digging')}`, resolution: filler('fixing'), trigger: filler('learning') },
      actionItems: ['Split the archive job'],
    });
    expect(refsOf(await ok(search(cast.commander, { q: 'zebracorn' })))).toEqual([long.ref]);
    const row = async () => (await db.sql<{ chars: number; at: Date }>`select length(body)::int as chars, updated_at as at from incident_search where incident_id = ${long.id}`)[0];
    const indexed = await row();
    expect(indexed.chars).toBeLessThanOrEqual(80_100);

    // Publishing again writes every action item again; unchanged ones leave the index alone.
    await db.sql`update action_items set title = title, problem_category = problem_category where incident_id = ${long.id}`;
    expect((await row()).at.getTime()).toBe(indexed.at.getTime());
    await db.sql`update action_items set title = 'Split the archive job in two' where incident_id = ${long.id}`;
    expect((await row()).at.getTime()).toBeGreaterThan(indexed.at.getTime());
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ severity: '5' }, 'severity'],
      [{ from: '2026-02-30' }, 'from'],
      [{ from: '2026-05-01', to: '2026-04-01' }, 'from'],
      [{ category: 'weather' }, 'category.0'],
      [{ drills: 'maybe' }, 'drills'],
      [{ limit: '0' }, 'limit'],
      [{ limit: '500' }, 'limit'],
      [{ q: 'x'.repeat(501) }, 'q'],
    ];
    for (const [query, field] of cases) {
      const response = await search(cast.admin, query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'invalid_input', field });
    }
  });

  it('matches nothing rather than everything for stop words and punctuation', async () => {
    for (const q of ['the', '&|!', '"of the"']) {
      const response = await search(cast.admin, { q });
      expect(response.status, q).toBe(200);
      expect(response.body.total, q).toBe(0);
    }
  });
});
