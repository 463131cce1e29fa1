import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesWords } from '../../server/incidents/search.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('incident list, filters and autocomplete (%s)', (backend) => {
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

  // Each test tags its incidents with a service of its own, so tests sharing the database do not see each other's.
  const tag = () => `t${Math.random().toString(36).slice(2, 9)}`;
  const list = async (person: Person, query: string) => {
    const response = await person.client.get(`/api/incidents?${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as { incidents: { ref: string; title: string; participantCount: number; [key: string]: unknown }[]; total: number };
  };
  const move = async (person: Person, ref: string, ...states: string[]) => {
    for (const state of states) expect((await person.client.post(`/api/incidents/${ref}/state`, { state })).status).toBe(200);
  };

  it('lists active incidents first by severity then newest, then the rest by resolution, and paginates', async () => {
    const service = tag();
    const c = cast.commander;
    const minor = await declare(c, { title: 'Minor', severity: 3, services: [service] });
    const firstSev1 = await declare(c, { title: 'First SEV1', severity: 1, services: [service] });
    const resolvedEarlier = await declare(c, { title: 'Resolved earlier', severity: 1, services: [service] });
    const closedLater = await declare(c, { title: 'Closed later', severity: 4, services: [service] });
    const secondSev1 = await declare(c, { title: 'Second SEV1', severity: 1, services: [service] });
    await move(c, resolvedEarlier.ref, 'resolved');
    await move(c, closedLater.ref, 'resolved', 'closed');

    const all = await list(c, `service=${service}`);
    expect(all.total).toBe(5);
    expect(all.incidents.map((i) => i.title)).toEqual(['Second SEV1', 'First SEV1', 'Minor', 'Closed later', 'Resolved earlier']);
    expect(all.incidents[0]).toMatchObject({ ref: secondSev1.ref, participantCount: 1, roles: { commander: { displayName: 'Cora' } } });
    expect(all.incidents[0]).not.toHaveProperty('participants');
    expect(all.incidents[0]).not.toHaveProperty('me');

    const page = await list(c, `service=${service}&limit=2&offset=2`);
    expect(page.total).toBe(5);
    expect(page.incidents.map((i) => i.ref)).toEqual([minor.ref, closedLater.ref]);
    expect((await list(c, `service=${service}&limit=2&offset=10`)).incidents).toEqual([]);

    expect((await list(c, `service=${service}&state=active`)).incidents.map((i) => i.ref)).toEqual([secondSev1.ref, firstSev1.ref, minor.ref]);
    expect((await list(c, `service=${service}&state=recent`)).incidents.map((i) => i.ref)).toEqual([closedLater.ref, resolvedEarlier.ref]);
    expect((await list(c, `service=${service}&state=closed`)).total).toBe(1);
    expect((await list(c, `service=${service}&severity=1`)).total).toBe(3);
    expect((await list(c, `service=${service}&severity=1&state=active`)).total).toBe(2);
    expect((await list(c, `service=${service}&severity=3,4`)).total).toBe(2);
  });

  it('searches title and summary by word prefix, and by incident number', async () => {
    const service = tag();
    const word = tag();
    const inTitle = await declare(cast.responder, { title: `Latency in ${word}-gateway`, severity: 2, services: [service] });
    const inSummary = await declare(cast.responder, { title: 'Errors', summary: `Customers of ${word} see errors`, severity: 2, services: [service] });
    await declare(cast.responder, { title: 'Unrelated', severity: 2, services: [service] });

    const refs = async (q: string) => (await list(cast.responder, `service=${service}&q=${encodeURIComponent(q)}`)).incidents.map((i) => i.ref).sort();
    expect(await refs(word)).toEqual([inTitle.ref, inSummary.ref].sort());
    expect(await refs(word.slice(0, 5))).toEqual([inTitle.ref, inSummary.ref].sort());
    expect(await refs(`${word} latency`)).toEqual([inTitle.ref]);
    expect(await refs('LATEN')).toEqual([inTitle.ref]);
    expect(await refs(inSummary.ref)).toEqual([inSummary.ref]);
    expect(await refs("'); drop table incidents; --")).toEqual([]);
  });

  it('finds words joined by underscores, from the index', async () => {
    const service = tag();
    const word = tag();
    const joined = await declare(cast.responder, { title: `disk_${word}_full`, summary: '_a'.repeat(2500), severity: 2, services: [service] });
    const refs = async (q: string) => (await list(cast.responder, `service=${service}&q=${encodeURIComponent(q)}`)).incidents.map((i) => i.ref);
    expect(await refs(word)).toEqual([joined.ref]);
    expect(await refs(`disk ${word} full`)).toEqual([joined.ref]);

    // The parser is quadratic on underscore runs: searching must not run it on every row.
    const plan = await db.sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      return tx<{ 'QUERY PLAN': string }>`explain select i.id from incidents i where ${matchesWords(`${word}:*`)}`;
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('incidents_search_idx');
  });

  it('never lists a private incident to someone outside it', async () => {
    const service = tag();
    const hidden = await declare(cast.commander, { title: 'Secret breach', private: true, services: [service] });
    await declare(cast.commander, { title: 'Public outage', services: [service] });
    expect((await list(cast.outsider, `service=${service}`)).incidents.map((i) => i.title)).toEqual(['Public outage']);
    expect((await list(cast.outsider, `service=${service}`)).total).toBe(1);
    expect((await list(cast.commander, `service=${service}`)).total).toBe(2);
    expect((await list(cast.admin, `service=${service}`)).incidents.map((i) => i.ref)).toContain(hidden.ref);
  });

  it('refuses bad filters with a 400', async () => {
    for (const query of ['state=done', 'severity=7', 'limit=0', 'limit=101', 'offset=-1']) {
      expect((await cast.responder.client.get(`/api/incidents?${query}`)).status, query).toBe(400);
    }
  });

  it('suggests services from visible incidents: prefix matches first, then the most used', async () => {
    const p = tag();
    await declare(cast.commander, { services: [`${p}-db`, `${p}-pay`] });
    await declare(cast.commander, { services: [`${p}-pay`, `x-${p}-pay-legacy`] });
    await declare(cast.commander, { services: [`${p}-paypal`] });
    await declare(cast.commander, { services: [`${p}-payroll`], private: true });

    const suggest = async (person: Person, q: string) => (await person.client.get(`/api/services?q=${encodeURIComponent(q)}`)).body.services;
    expect(await suggest(cast.outsider, `${p}-pay`)).toEqual([`${p}-pay`, `${p}-paypal`, `x-${p}-pay-legacy`]);
    expect(await suggest(cast.commander, `${p}-pay`)).toEqual([`${p}-pay`, `${p}-paypal`, `${p}-payroll`, `x-${p}-pay-legacy`]);
    expect(await suggest(cast.outsider, `${p.toUpperCase()}-DB`)).toEqual([`${p}-db`]);
    // LIKE wildcards in the query are literal characters.
    expect(await suggest(cast.outsider, `${p}%`)).toEqual([]);
    expect((await suggest(cast.outsider, '')).length).toBeLessThanOrEqual(20);
  });

  it('lists active users for pickers without their emails', async () => {
    const response = await cast.outsider.client.get('/api/users/directory');
    expect(response.status).toBe(200);
    expect(response.body.users.map((u: { displayName: string }) => u.displayName)).toEqual(expect.arrayContaining(['Admin', 'Cora', 'Rey', 'Obi', 'Otto']));
    expect(Object.keys(response.body.users[0]).sort()).toEqual(['displayName', 'id']);
  });

  it('serves the severity definitions, states and roles for the pickers', async () => {
    const response = await cast.outsider.client.get('/api/incidents/meta');
    expect(response.body.severities).toHaveLength(4);
    expect(response.body.severities[0]).toMatchObject({ level: 1, label: 'SEV1', description: expect.stringMatching(/^Critical: .{20,}/) });
    expect(response.body.states.map((s: { name: string }) => s.name)).toEqual(['investigating', 'identified', 'monitoring', 'resolved', 'closed']);
    expect(response.body.roles).toEqual(['commander', 'scribe', 'communicator']);
  });
});
