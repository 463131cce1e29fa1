import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { publishPostmortem, resolveAndClose } from './search-support.ts';

describe.each(backends)('similar incidents (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const refs: Record<string, string> = {};
  let current: { ref: string; id: string };

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);

    const both = await declare(cast.commander, { title: 'Payments API returning 502s', severity: 2, services: ['payments', 'gateway'], summary: 'Card authorisations failing.' });
    await publishPostmortem(server, cast.commander, both, {
      summary: 'The gateway dropped connections.',
      factors: [
        { category: 'technical', description: 'Gateway connection pool too small for the sale traffic', confirmedHypothesis: true },
        { category: 'process', description: 'Capacity review skipped', confirmedHypothesis: false },
      ],
    });
    refs.both = both.ref;

    const service = await declare(cast.commander, { title: 'Refund queue stuck', severity: 3, services: ['payments'] });
    await resolveAndClose(cast.commander, service.ref);
    refs.service = service.ref;

    const words = await declare(cast.commander, { title: 'Search API returning 502s', severity: 3, services: ['search'] });
    await cast.commander.client.post(`/api/incidents/${words.ref}/state`, { state: 'resolved' });
    refs.words = words.ref;

    const unrelated = await declare(cast.commander, { title: 'Office wifi down', severity: 4, services: ['it'] });
    await resolveAndClose(cast.commander, unrelated.ref);
    refs.unrelated = unrelated.ref;

    refs.active = (await declare(cast.commander, { title: 'Payments API returning 502s again', severity: 2, services: ['payments'] })).ref;

    const drill = await declare(cast.commander, { title: 'Payments 502s game day', severity: 3, services: ['payments'], drill: true });
    await resolveAndClose(cast.commander, drill.ref);
    refs.drill = drill.ref;

    const hidden = await privateIncident(cast, { title: 'Payments fraud rule misfire', severity: 2, services: ['payments'] });
    await resolveAndClose(cast.commander, hidden.ref);
    refs.hidden = hidden.ref;

    current = await declare(cast.responder, { title: 'Payments API 502s at checkout', severity: 1, services: ['payments', 'gateway'], summary: 'Authorisations timing out.' });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const similar = (person: { client: any }, ref = current.ref) => person.client.get(`/api/incidents/${ref}/similar`);

  it('lists resolved past incidents sharing services or words, best first, with the postmortem and its confirmed hypotheses', async () => {
    const response = await similar(cast.outsider);
    expect(response.status).toBe(200);
    const list = response.body.similar;
    expect(list.map((s: any) => s.ref)).toEqual([refs.both, refs.service, refs.words]);
    expect(list[0]).toMatchObject({
      title: 'Payments API returning 502s',
      sharedServices: ['gateway', 'payments'],
      postmortemVersion: 1,
      url: `/incidents/${refs.both}/postmortem`,
      confirmedHypotheses: ['Gateway connection pool too small for the sale traffic'],
    });
    expect(list[1]).toMatchObject({ sharedServices: ['payments'], postmortemVersion: null, url: `/incidents/${refs.service}`, confirmedHypotheses: [] });
    expect(list[2]).toMatchObject({ sharedServices: [], resolvedAt: expect.any(String) });
    const scores = list.map((s: any) => s.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('includes private incidents only for people who may see them', async () => {
    const forAdmin = (await similar(cast.admin)).body.similar.map((s: any) => s.ref);
    const forObserver = (await similar(cast.observer)).body.similar.map((s: any) => s.ref);
    expect(forAdmin).toContain(refs.hidden);
    expect(forObserver).toContain(refs.hidden);
    expect((await similar(cast.outsider)).body.similar.map((s: any) => s.ref)).not.toContain(refs.hidden);
    // Never itself, an open incident, a drill or something unrelated.
    for (const list of [forAdmin, forObserver]) {
      for (const ref of [current.ref, refs.active, refs.drill, refs.unrelated]) expect(list).not.toContain(ref);
    }
    expect(forAdmin.length).toBeLessThanOrEqual(5);
  });

  it('is 404 for an incident the caller may not see and 401 without a session', async () => {
    expect((await similar(cast.outsider, refs.hidden)).status).toBe(404);
    expect((await similar(cast.outsider, 'INC-999999')).status).toBe(404);
    expect((await similar(cast.outsider, 'nonsense')).status).toBe(404);
    expect((await similar(cast.observer, refs.hidden)).status).toBe(200);
    expect((await cast.anonymous.get(`/api/incidents/${current.ref}/similar`)).status).toBe(401);
  });

  it('follows the incident when its words change instead of serving a stale answer', async () => {
    const incident = await declare(cast.commander, { title: 'Office wifi flapping', severity: 4, services: ['network'] });
    expect((await similar(cast.commander, incident.ref)).body.similar.map((s: any) => s.ref)).toEqual([refs.unrelated]);
    await cast.commander.client.request('PATCH', `/api/incidents/${incident.ref}`, { title: 'Refund queue backing up', services: ['billing'] });
    expect((await similar(cast.commander, incident.ref)).body.similar.map((s: any) => s.ref)).toEqual([refs.service]);
  });
});
