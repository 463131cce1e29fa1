import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MIN = 60_000;
const t = (iso: string, minutes = 0) => new Date(new Date(iso).getTime() + minutes * MIN);

/**
 * A small March 2026 on known times. Incidents are declared through the API
 * (backdated start and detection, as a responder would type them); the API
 * stamps declaration, acknowledgement and resolution with the real clock, so
 * those are then set to the fixture times in SQL. Postmortem publication and
 * action items are rows as publication writes them (server/postmortem/*).
 */
describe.each(backends)('metrics and pattern review API (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const ids: Record<string, { id: string; ref: string; number: number }> = {};

  async function incident(
    name: string,
    person: Person,
    body: Record<string, unknown>,
    times: { started: Date; detected?: Date; declared: Date; acknowledged: Date; resolved?: Date; reopen?: boolean },
  ) {
    const created = await declare(person, {
      ...body,
      startedAt: times.started.toISOString(),
      ...(times.detected ? { detectedAt: times.detected.toISOString() } : {}),
    });
    const states = times.resolved ? (times.reopen ? ['resolved', 'investigating', 'resolved'] : ['resolved']) : [];
    for (const state of states) {
      const moved = await person.client.post(`/api/incidents/${created.ref}/state`, { state });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    }
    await db.sql`update incidents set declared_at = ${times.declared}, acknowledged_at = ${times.acknowledged},
      resolved_at = ${times.resolved ?? null}, mitigated_at = ${times.resolved ?? null} where id = ${created.id}`;
    ids[name] = created;
    return created;
  }

  async function publishPostmortem(name: string, at: Date, snapshot: { factors: { category: string; description: string }[]; detection: string }) {
    const incidentId = ids[name].id;
    await db.sql`insert into postmortems (incident_id, doc_id, state, review_due_at, published_at, version)
      values (${incidentId}, ${`postmortem-${incidentId}`}, 'published', ${at}, ${at}, 1)`;
    const content = {
      incidentId,
      generatedAt: at.toISOString(),
      sections: { summary: 'Summary', detection: snapshot.detection },
      timeline: [],
      factors: snapshot.factors.map((f, i) => ({ id: `f${i}`, hypothesisId: null, createdAt: at.toISOString(), ...f })),
      actionItems: [],
    };
    await db.sql`insert into postmortem_versions (incident_id, version, snapshot, markdown, published_at, published_by_name)
      values (${incidentId}, 1, ${content}::jsonb, '# Postmortem', ${at}, 'Cora')`;
  }

  async function actionItem(name: string, item: { kind: string; created: Date; due: string; status: string; done?: Date; title: string }) {
    await db.sql`insert into action_items (id, incident_id, source_key, title, owner_id, due_date, kind, priority, status, done_at, created_at)
      values (${`ai-${Math.random().toString(36).slice(2)}`}, ${ids[name].id}, ${item.title}, ${item.title}, ${cast.commander.user.id},
        ${item.due}::date, ${item.kind}, 'p2', ${item.status}, ${item.done ?? null}, ${item.created})`;
  }

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    const { commander } = cast;
    // January: a db incident whose postmortem, published 20 Jan, makes B a recurrence.
    await incident('F', commander, { title: 'Replica lag', severity: 2, services: ['db'] }, {
      started: t('2026-01-10T08:00:00Z'), declared: t('2026-01-10T08:05:00Z'), acknowledged: t('2026-01-10T08:06:00Z'), resolved: t('2026-01-10T09:00:00Z'),
    });
    await publishPostmortem('F', t('2026-01-20T12:00:00Z'), { factors: [{ category: 'technical', description: 'Vacuum starved' }], detection: '' });
    // Week 10 (2–8 March).
    await incident('A', commander, { title: 'Card payments fail', severity: 1, services: ['payments'] }, {
      started: t('2026-03-02T10:00:00Z'), detected: t('2026-03-02T10:00:00Z', 10), declared: t('2026-03-02T10:00:00Z', 15), acknowledged: t('2026-03-02T10:00:00Z', 17), resolved: t('2026-03-02T10:00:00Z', 75),
    });
    await incident('B', commander, { title: 'Checkout slow', severity: 2, services: ['payments', 'db'] }, {
      started: t('2026-03-03T12:00:00Z'), declared: t('2026-03-03T12:00:00Z', 5), acknowledged: t('2026-03-03T12:00:00Z', 5), resolved: t('2026-03-03T12:00:00Z', 120), reopen: true,
    });
    await incident('D', commander, { title: 'Game day', severity: 1, services: ['payments'], drill: true }, {
      started: t('2026-03-04T10:00:00Z'), detected: t('2026-03-04T10:00:00Z', 300), declared: t('2026-03-04T10:00:00Z', 300), acknowledged: t('2026-03-04T10:00:00Z', 300), resolved: t('2026-03-04T10:00:00Z', 900),
    });
    await publishPostmortem('A', t('2026-03-05T11:15:00Z'), {
      factors: [{ category: 'technical', description: 'Connection pool exhausted by retries' }, { category: 'process', description: 'No canary for config' }],
      detection: 'The error-rate alert paged within ten minutes.',
    });
    await actionItem('A', { kind: 'immediate', title: 'Raise pool size', created: t('2026-03-05T11:15:00Z'), due: '2026-03-06', status: 'done', done: t('2026-03-06T09:00:00Z') });
    await actionItem('A', { kind: 'structural', title: 'Backoff in every client', created: t('2026-03-05T11:15:00Z'), due: '2026-03-12', status: 'open' });
    // B's own postmortem names a technical factor, like F's on db: B recurs.
    await publishPostmortem('B', t('2026-03-20T12:00:00Z'), { factors: [{ category: 'technical', description: 'Autovacuum fell behind again' }], detection: '' });
    // Week 11: a private payments incident only Cora's people and admins may see, still open.
    await incident('C', commander, { title: 'Secret merger outage', severity: 1, services: ['payments'], private: true }, {
      started: t('2026-03-10T09:00:00Z'), detected: t('2026-03-10T09:00:00Z', 30), declared: t('2026-03-10T09:00:00Z', 30), acknowledged: t('2026-03-10T09:00:00Z', 40),
    });
    // Week 12: a title built to break a naive CSV.
    await incident('E', commander, { title: '=HYPERLINK("x"), search "slow"', severity: 3, services: ['search'] }, {
      started: t('2026-03-17T09:00:00Z'), detected: t('2026-03-17T09:00:00Z', 5), declared: t('2026-03-17T09:00:00Z', 6), acknowledged: t('2026-03-17T09:00:00Z', 6), resolved: t('2026-03-17T09:00:00Z', 20),
    });
    await publishPostmortem('E', t('2026-03-25T09:00:00Z'), { factors: [{ category: 'process', description: 'Index rebuilds run in business hours' }], detection: '' });
    // April: a payments incident whose postmortem names only a human factor. A (payments) was written up in March,
    // but with technical and process factors: the same service with a different kind of problem is not a recurrence.
    await incident('G', commander, { title: 'Refunds sent twice', severity: 3, services: ['payments'] }, {
      started: t('2026-04-07T09:00:00Z'), detected: t('2026-04-07T09:00:00Z', 5), declared: t('2026-04-07T09:00:00Z', 6), acknowledged: t('2026-04-07T09:00:00Z', 6), resolved: t('2026-04-07T09:00:00Z', 30),
    });
    await publishPostmortem('G', t('2026-04-09T09:00:00Z'), { factors: [{ category: 'human_factors', description: 'Refund button pressed twice under pressure' }], detection: '' });
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const MARCH = '/api/metrics?period=week&from=2026-03-02&to=2026-03-29';

  it('answers per-week series computed from the incidents, drills left out', async () => {
    const response = await cast.admin.client.get(MARCH);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const body = response.body;
    expect(body).toMatchObject({ period: 'week', from: '2026-03-02', to: '2026-03-29', filters: { severity: null, service: null } });
    expect(body.buckets.map((b: { key: string }) => b.key)).toEqual(['2026-W10', '2026-W11', '2026-W12', '2026-W13']);
    expect(body.series.incident_count).toEqual([2, 1, 1, 0]);
    // A detected after 10 minutes; B has no detection time.
    expect(body.series.mttd[0]).toEqual({ median: 10 * MIN, p90: 10 * MIN, measured: 1, notRecorded: 1 });
    expect(body.series.mtta[0]).toEqual({ median: 0, p90: 2 * MIN, measured: 2, notRecorded: 0 });
    // B was reopened: its final resolution (120 min) counts.
    expect(body.series.mttr[0]).toEqual({ median: 75 * MIN, p90: 120 * MIN, measured: 2, notRecorded: 0 });
    expect(body.series.mttr[1]).toEqual({ median: null, p90: null, measured: 0, notRecorded: 1 });
    // A published 3 days after resolving; B on 20 March, 16 days 22 hours after.
    expect(body.series.time_to_postmortem[0]).toEqual({ median: 3 * 24 * 60 * MIN, p90: (16 * 24 + 22) * 60 * MIN, measured: 2, notRecorded: 0 });
    // B (db, technical) follows F's postmortem of 20 Jan (db, technical); A (payments) follows nothing on payments;
    // C has no postmortem, so it cannot be classified; E (search, process) follows nothing on search.
    expect(body.series.recurrence_rate.slice(0, 3)).toEqual([
      { recurring: 1, measured: 2, notRecorded: 0, rate: 0.5 },
      { recurring: 0, measured: 0, notRecorded: 1, rate: null },
      { recurring: 0, measured: 1, notRecorded: 0, rate: 0 },
    ]);
    expect(body.series.action_items[0]).toEqual({ created: { immediate: 1, structural: 1 }, done: { immediate: 1, structural: 0 }, overdue: { immediate: 0, structural: 0 } });
    expect(body.series.action_items[1].overdue).toEqual({ immediate: 0, structural: 1 });
    expect(body.totals).toMatchObject({ incidents: 4, recurrence_rate: { recurring: 1, measured: 3, notRecorded: 1, rate: 1 / 3 } });
    expect(body.definitions.find((d: { id: string }) => d.id === 'recurrence_rate').definition).toMatch(/shares one of its services and one of the contributing-factor categories/);
    expect(body.definitions.map((d: { id: string }) => d.id)).toContain('mttr');
    expect(body.definitions.find((d: { id: string }) => d.id === 'mttr').definition).toMatch(/final resolution/);
  });

  it('counts a reopened incident once, from the real reopen event', async () => {
    const [row] = await db.sql<{ n: number }>`select count(*)::int as n from incident_events where incident_id = ${ids.B.id} and kind = 'state' and data->>'from' = 'resolved'`;
    expect(row.n).toBe(1);
    const csv = await (await fetch(`${server.url}/api/metrics/export.csv?period=week&from=2026-03-02&to=2026-03-29`, { headers: { cookie: cast.admin.client.cookie! } })).text();
    const [header, ...rows] = csv.split('\r\n');
    const b = rows.filter((l) => l.startsWith(`${ids.B.ref},`));
    expect(b).toHaveLength(1);
    const cells = b[0].split(',');
    const column = (name: string) => cells[header.split(',').indexOf(name)];
    expect(column('reopened')).toBe('1');
    expect(column('time_to_resolve_min')).toBe('120');
    expect(column('factor_categories')).toBe('technical');
    expect(column('recurrence')).toBe('true');
  });

  it('does not call the same service with a different kind of problem a recurrence', async () => {
    const april = (await cast.admin.client.get('/api/metrics?period=month&from=2026-04-01&to=2026-04-30')).body;
    expect(april.series.incident_count).toEqual([1]);
    expect(april.series.recurrence_rate).toEqual([{ recurring: 0, measured: 1, notRecorded: 0, rate: 0 }]);
    // The same April incident would recur if its postmortem had named a technical factor like A's.
    await db.sql`update postmortem_versions set snapshot = jsonb_set(snapshot, '{factors,0,category}', '"technical"') where incident_id = ${ids.G.id}`;
    try {
      const again = (await cast.admin.client.get('/api/metrics?period=month&from=2026-04-01&to=2026-04-30')).body;
      expect(again.series.recurrence_rate).toEqual([{ recurring: 1, measured: 1, notRecorded: 0, rate: 1 }]);
    } finally {
      await db.sql`update postmortem_versions set snapshot = jsonb_set(snapshot, '{factors,0,category}', '"human_factors"') where incident_id = ${ids.G.id}`;
    }
  });

  it('filters by severity and by service', async () => {
    const sev1 = (await cast.admin.client.get(`${MARCH}&severity=1`)).body;
    expect(sev1.series.incident_count).toEqual([1, 1, 0, 0]);
    expect(sev1.filters).toEqual({ severity: [1], service: null });
    const db = (await cast.admin.client.get(`${MARCH}&service=DB`)).body;
    expect(db.series.incident_count).toEqual([1, 0, 0, 0]);
    expect(db.filters.service).toBe('db');
  });

  it('buckets by month and quarter', async () => {
    const months = (await cast.admin.client.get('/api/metrics?period=month&from=2026-01-01&to=2026-03-31')).body;
    expect(months.buckets.map((b: { key: string }) => b.key)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(months.series.incident_count).toEqual([1, 0, 4]);
    const quarter = (await cast.admin.client.get('/api/metrics?period=quarter&from=2026-01-01&to=2026-03-31')).body;
    expect(quarter.series.incident_count).toEqual([5]);
  });

  it('leaves private incidents out for people who may not see them, and keeps them for those who may', async () => {
    const outsider = (await cast.outsider.client.get(MARCH)).body;
    expect(outsider.series.incident_count).toEqual([2, 0, 1, 0]);
    // Without C, week 11 has nothing to classify; B still recurs.
    expect(outsider.series.recurrence_rate[1]).toEqual({ recurring: 0, measured: 0, notRecorded: 0, rate: null });
    expect(outsider.totals.recurrence_rate).toEqual({ recurring: 1, measured: 3, notRecorded: 0, rate: 1 / 3 });
    expect(outsider.totals.incidents).toBe(3);
    const responder = (await cast.commander.client.get(MARCH)).body;
    expect(responder.series.incident_count).toEqual([2, 1, 1, 0]);

    const csv = await (await fetch(`${server.url}/api/metrics/export.csv?period=week&from=2026-03-02&to=2026-03-29`, { headers: { cookie: cast.outsider.client.cookie! } })).text();
    expect(csv).not.toContain('Secret merger');
    expect(csv).not.toContain(ids.C.ref + ',');
    const patterns = await cast.outsider.client.get('/api/patterns?quarter=2026-Q1');
    expect(JSON.stringify(patterns.body)).not.toContain('Secret merger');
  });

  it('exports the underlying rows as escaped CSV with a formula guard', async () => {
    const response = await fetch(`${server.url}/api/metrics/export.csv?period=week&from=2026-03-02&to=2026-03-29`, { headers: { cookie: cast.admin.client.cookie! } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="warroom-metrics-2026-03-02-to-2026-03-29.csv"');
    const lines = (await response.text()).split('\r\n');
    expect(lines[0]).toMatch(/^incident,title,severity,services,period,private,started_at,/);
    expect(lines.filter(Boolean)).toHaveLength(5); // header + A, B, C, E (no drill, no January)
    expect(lines[1]).toBe(
      `${ids.A.ref},Card payments fail,1,payments,2026-W10,false,2026-03-02T10:00:00.000Z,2026-03-02T10:10:00.000Z,2026-03-02T10:15:00.000Z,` +
        '2026-03-02T10:17:00.000Z,2026-03-02T11:15:00.000Z,2026-03-02T11:15:00.000Z,,0,2026-03-05T11:15:00.000Z,process technical,,10,2,75,4320,,false',
    );
    expect(lines[4]).toContain(`${ids.E.ref},"'=HYPERLINK(""x""), search ""slow""",3,search,2026-W12,`);
    expect(lines.some((l) => l.startsWith(`${ids.D.ref},`))).toBe(false);
  });

  it('refuses bad input with a message and anonymous callers with 401', async () => {
    const period = await cast.admin.client.get('/api/metrics?period=day');
    expect(period.status).toBe(400);
    expect(period.body.error).toMatchObject({ code: 'invalid_input', field: 'period' });
    const backwards = await cast.admin.client.get('/api/metrics?from=2026-03-10&to=2026-03-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/on or before/);
    const notADay = await cast.admin.client.get('/api/metrics?from=2026-02-30');
    expect(notADay.body.error).toMatchObject({ code: 'invalid_input', field: 'from' });
    const tooLong = await cast.admin.client.get('/api/metrics?period=week&from=2010-01-01&to=2026-01-01');
    expect(tooLong.status).toBe(400);
    const quarter = await cast.admin.client.get('/api/patterns?quarter=2026-Q5');
    expect(quarter.body.error).toMatchObject({ code: 'invalid_input', field: 'quarter' });
    for (const path of ['/api/metrics', '/api/metrics/export.csv', '/api/patterns']) {
      expect((await cast.anonymous.get(path)).status, path).toBe(401);
    }
  });

  it('answers what the OpenAPI document says it answers', async () => {
    const doc = (await server.client().get('/api/openapi.json')).body;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    for (const [path, documented] of [[MARCH, '/api/metrics'], ['/api/patterns?quarter=2026-Q1', '/api/patterns']]) {
      const operation = doc.paths[documented].get;
      expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(documented === '/api/metrics' ? ['period', 'from', 'to', 'severity', 'service'] : ['quarter']));
      const validate = ajv.compile({ ...operation.responses['200'].content['application/json'].schema, components: doc.components });
      const body = (await cast.admin.client.get(path)).body;
      expect(validate(body) ? [] : validate.errors, path).toEqual([]);
    }
    expect(Object.keys(doc.paths['/api/metrics/export.csv'].get.responses['200'].content)).toEqual(['text/csv']);
  });

  it('reviews a quarter: factors by category and service, recurring services, detection gaps, structural items', async () => {
    const response = await cast.admin.client.get('/api/patterns?quarter=2026-Q1');
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const review = response.body;
    expect(review.quarter).toMatchObject({ key: '2026-Q1', label: 'Q1 2026', start: '2026-01-01T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z' });
    expect(review.incidentCount).toBe(5);
    expect(review.factors.map((g: { category: string; count: number }) => [g.category, g.count])).toEqual([['technical', 3], ['process', 2]]);
    expect(review.factors[0].services.map((s: { service: string }) => s.service)).toEqual(['db', 'payments']);
    expect(review.recurringServices.map((s: { service: string; incidents: { ref: string }[] }) => [s.service, s.incidents.map((i) => i.ref)])).toEqual([
      ['payments', [ids.A.ref, ids.B.ref, ids.C.ref]],
      ['db', [ids.F.ref, ids.B.ref]],
    ]);
    // F and B have no detection time; nothing took over 30 minutes.
    expect(review.detectionGaps.map((g: { incident: { ref: string } }) => g.incident.ref).sort()).toEqual([ids.B.ref, ids.F.ref].sort());
    expect(review.structural).toMatchObject({ total: 1, done: 0, open: 1, overdue: 1, pastThirtyDayCheck: 1 });
    expect(review.structural.items[0]).toMatchObject({ title: 'Backoff in every client', owner: 'Cora', dueDate: '2026-03-12', incident: { ref: ids.A.ref } });
  });
});
