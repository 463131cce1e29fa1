/**
 * Injects reach the team the way real events would: an alert inject is
 * stored and routed by the real routing rules (the same matcher, the same
 * rules table) and lands in the drill, never in a real incident, a new
 * incident or the real inbox; the rule's verdict is what the facilitator and
 * the debrief read. Scheduled injects follow the drill clock and wait while it
 * is paused; a release happens once however often it is asked for.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertDeps } from '../../server/alerts/ingest.ts';
import { releaseDueInjects } from '../../server/drills/inject-delivery.ts';
import { createLiveMirror } from '../../server/incidents/live.ts';
import { createLogger } from '../../server/log.ts';
import { readTimeline } from '../../server/shared/war-room-doc.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { createScenario, scenarioText, startDrill } from '../helpers/drills.ts';
import { declare, incidentCast, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MIN = 60_000;

describe.each(backends)('drill injects (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let facilitator: Person;
  let deps: AlertDeps;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    facilitator = cast.observer;
    const log = createLogger('silent');
    deps = { sql: db.sql, mirror: createLiveMirror(server.live, log), docs: server.live, log };
  });
  beforeEach(async () => {
    await db.sql`delete from alert_rules`;
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const rule = async (body: Record<string, unknown>) => {
    const response = await cast.admin.client.post('/api/admin/alert-rules', { name: 'rule', ...body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.rule;
  };
  const timelineOf = async (ref: string) => {
    const { docId } = (await cast.admin.client.get(`/api/incidents/${ref}`)).body.incident;
    let entries: ReturnType<typeof readTimeline> = [];
    await server.collab.changeDocument(docId, null, (doc) => {
      entries = readTimeline(doc);
    });
    return entries;
  };
  const incidentCount = async () => (await cast.admin.client.get('/api/incidents?limit=100')).body.total as number;

  it('routes an alert inject by the real rules and lands it in the drill: a declare rule declares nothing, a real incident on the service gets nothing', async () => {
    const real = await declare(cast.commander, { title: 'Real checkout trouble', services: ['checkout'] });
    const declareRule = await rule({ name: 'Checkout critical pages', matchers: [{ key: 'severity', value: 'critical' }, { key: 'service', value: 'checkout' }], action: 'declare', severity: 1 });
    const before = await incidentCount();

    const drill = await startDrill(facilitator, (await createScenario(facilitator)).id, [cast.commander, cast.responder]);
    const ref = drill.incident.ref;
    // The +0m alert went out as the drill started; the declaration of the drill itself is the only new incident.
    expect(await incidentCount()).toBe(before + 1);
    expect(drill.injects[0].released.routing).toEqual({
      outcome: 'declared',
      rule: { id: declareRule.id, name: 'Checkout critical pages', action: 'declare', severity: 1 },
      explanation: 'Rule “Checkout critical pages” declares a SEV1 incident from it; the drill stands in for that incident.',
    });
    const alerts = (await cast.responder.client.get(`/api/incidents/${ref}/alerts`)).body.alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ source: 'drill', name: 'CheckoutLatencyHigh', summary: 'p99 above 2 s', service: 'checkout', severity: 'critical', incidentRef: ref, count: 1 });
    expect((await timelineOf(ref)).map((e) => e.text)).toContain('Alert CheckoutLatencyHigh: p99 above 2 s');
    // Nothing reached the real incident on the same service, nor the inbox.
    expect((await cast.commander.client.get(`/api/incidents/${real.ref}/alerts`)).body.alerts).toEqual([]);
    expect((await cast.admin.client.get('/api/alerts')).body.alerts).toEqual([]);
    // The team sees the verdict too: it is about the team's routing, not the answer.
    expect((await cast.responder.client.get(`/api/incidents/${ref}/drill`)).body.drill.injects[0].released.routing.outcome).toBe('declared');
  });

  it('says plainly when routing would have left the alert in the inbox, and still shows it to the team', async () => {
    await rule({ name: 'Payments to the inbox', matchers: [{ key: 'service', value: 'payments' }], action: 'attach' });
    const scenario = await createScenario(facilitator, scenarioText({ title: 'Routing gaps', extraInjects: '\n## Alert: PaymentsErrors\nlabels: service=payments\n\n## Alert: Unlabelled\nlabels: team=core\n' }));
    const drill = await startDrill(facilitator, scenario.id, [cast.responder]);
    // The first alert (service=checkout) matches no rule.
    expect(drill.injects[0].released.routing).toMatchObject({ outcome: 'inbox', rule: null, explanation: expect.stringMatching(/^No routing rule matched: in a real outage it would wait in the alert inbox/) });
    const payments = await facilitator.client.post(`/api/drills/runs/${drill.id}/injects/5/release`);
    expect(payments.body.drill.injects[4].released.routing).toMatchObject({ outcome: 'inbox', explanation: expect.stringContaining('the drill is not on payments') });
    expect((await cast.responder.client.get(`/api/incidents/${drill.incident.ref}/alerts`)).body.alerts.map((a: { name: string }) => a.name)).toEqual(['CheckoutLatencyHigh', 'PaymentsErrors']);
    expect((await cast.admin.client.get('/api/alerts')).body.alerts).toEqual([]);
  });

  it('releases scheduled injects on the drill clock, holds them while paused, and never twice', async () => {
    const drill = await startDrill(facilitator, (await createScenario(facilitator)).id, [cast.commander]);
    const ref = drill.incident.ref;
    const released = async () => (await facilitator.client.get(`/api/drills/runs/${drill.id}`)).body.drill.injects.filter((i: { released: unknown }) => i.released).map((i: { key: string }) => i.key);
    expect(await released()).toEqual(['1']);

    // Eleven minutes in: the +10m message is due, the +40m twist is not, the graph waits for the facilitator.
    const in11 = new Date(Date.now() + 11 * MIN);
    await releaseDueInjects(deps, in11);
    expect(await released()).toEqual(['1', '2']);
    const message = (await timelineOf(ref)).find((e) => e.id.startsWith('inject-'));
    expect(message).toMatchObject({ kind: 'communication', text: 'Message from Support: Customers cannot pay (drill inject; in full in the Drill panel)', auto: true });

    // Held: not even an hour later does the twist arrive.
    expect((await facilitator.client.post(`/api/drills/runs/${drill.id}/clock`, { paused: true })).body.drill.paused).toBe(true);
    await releaseDueInjects(deps, new Date(Date.now() + 60 * MIN));
    expect(await released()).toEqual(['1', '2']);
    // A person may still release by hand while the clock is held; asking twice releases once.
    for (let i = 0; i < 2; i++) expect((await facilitator.client.post(`/api/drills/runs/${drill.id}/injects/3/release`)).status).toBe(200);
    expect((await timelineOf(ref)).filter((e) => e.text.startsWith('Graph: Database connections'))).toHaveLength(1);
    expect((await facilitator.client.post(`/api/drills/runs/${drill.id}/injects/1/release`)).status).toBe(200);
    expect((await cast.commander.client.get(`/api/incidents/${ref}/alerts`)).body.alerts.map((a: { count: number }) => a.count)).toEqual([1]);

    // Resumed, the twist waits for +40 min on the drill clock.
    await facilitator.client.post(`/api/drills/runs/${drill.id}/clock`, { paused: false });
    await releaseDueInjects(deps, new Date(Date.now() + 30 * MIN));
    expect(await released()).toEqual(['1', '2', '3']);
    await releaseDueInjects(deps, new Date(Date.now() + 45 * MIN));
    expect(await released()).toEqual(['1', '2', '3', '4']);

    // Once ended, nothing more is released.
    await facilitator.client.post(`/api/drills/runs/${drill.id}/end`);
    const refused = await facilitator.client.post(`/api/drills/runs/${drill.id}/injects/4/release`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('drill_ended');
  });
});
