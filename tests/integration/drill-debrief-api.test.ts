/**
 * The debrief from a real drill: the team works the board over the stock
 * y-websocket client, opens the runbook, takes roles and publishes; the
 * debrief reads the board's history from the server's change log, and its
 * findings become action items on /follow-ups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addHypothesis, updateHypothesis } from '../../server/shared/war-room-doc.ts';
import { connectProvider, eventually, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { createScenario, startDrill } from '../helpers/drills.ts';
import { incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('drill debrief (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  it('times the board from the change log, finds the runbook, and turns findings into action items', async () => {
    const facilitator = cast.observer;
    const runbook = await cast.admin.client.post('/api/runbooks', { title: 'Checkout DB pool', body: '# Pool\n\n- check pg_stat_activity\n', services: ['checkout'] });
    expect(runbook.body.runbook.slug).toBe('checkout-db-pool');
    const drill = await startDrill(facilitator, (await createScenario(facilitator)).id, [cast.commander, cast.responder]);
    const ref = drill.incident.ref;
    const { docId } = (await cast.responder.client.get(`/api/incidents/${ref}`)).body.incident;

    // The team: Rey writes two cards, rules one out, rewords the other to the right cause and confirms it.
    const live = connectProvider(server.url, docId, cast.responder.client.cookie);
    providers.push(live);
    await live.synced();
    const rey = { id: cast.responder.user.id, name: cast.responder.user.displayName };
    const wrong = addHypothesis(live.doc, { statement: 'DNS is flaky', owner: null, by: rey });
    const right = addHypothesis(live.doc, { statement: 'The deploy broke checkout', owner: null, by: rey });
    updateHypothesis(live.doc, wrong, rey, { status: 'ruled_out' });
    updateHypothesis(live.doc, right, rey, { statement: 'The deploy exhausted the connection pool', status: 'investigating' });
    updateHypothesis(live.doc, right, rey, { status: 'confirmed' });
    await cast.responder.client.get(`/api/runbooks/${runbook.body.runbook.id}`);
    await cast.responder.client.post(`/api/runbooks/${runbook.body.runbook.id}/stamps`, { incident: ref, kind: 'used' });
    await cast.responder.client.post(`/api/incidents/${ref}/roles/claim`, { role: 'scribe' });
    await cast.commander.client.post(`/api/incidents/${ref}/updates`, { audience: 'responders', body: 'Rolling back.', idempotencyKey: 'debrief-responders' });
    await cast.commander.client.post(`/api/incidents/${ref}/state`, { state: 'resolved' });

    // The facilitator reads the debrief while it runs; the board's times come from the server's log.
    let debrief: any = null;
    await eventually(async () => {
      debrief = (await facilitator.client.get(`/api/drills/runs/${drill.id}/debrief`)).body.debrief;
      expect(debrief.correctHypothesis?.confirmed).toBeTruthy();
    });
    expect(debrief.correctHypothesis).toMatchObject({ statement: 'The deploy exhausted the connection pool', matchedBy: 'phrase', confirmed: { elapsedMs: expect.any(Number) } });
    const times = Object.fromEntries(debrief.times.map((t: { id: string }) => [t.id, t]));
    // The reworded statement is the first that says "connection pool": it cannot precede the card's creation.
    expect(times['hypothesis-appeared'].moment.elapsedMs).toBeLessThanOrEqual(times['hypothesis-confirmed'].moment.elapsedMs);
    expect(times['role-commander'].note).toBe('Cora, named when the drill started');
    expect(times['role-scribe'].note).toBe('Rey');
    expect(times['acknowledged'].moment).not.toBeNull();
    expect(times['update-responders'].note).toBe('by Cora');
    expect(times['update-support'].note).toBe('none published');
    expect(times.resolved.moment).not.toBeNull();
    expect(debrief.ruledOut.map((h: { statement: string; writtenBy: string }) => [h.statement, h.writtenBy])).toEqual([['DNS is flaky', 'Rey']]);
    expect(debrief.runbook).toMatchObject({ expected: 'checkout-db-pool', exists: true, openedBy: ['Rey'], markedUsed: { elapsedMs: expect.any(Number) } });

    // Answers and findings: the facilitator's; a responder cannot add findings even once the debrief is open.
    expect((await facilitator.client.request('PATCH', `/api/drills/runs/${drill.id}/debrief`, { runbookHelped: 'partly', runbookNote: 'No rollback step' })).status).toBe(200);
    await facilitator.client.post(`/api/drills/runs/${drill.id}/end`);
    const finding = await facilitator.client.post(`/api/drills/runs/${drill.id}/findings`, { title: 'Add the rollback step to the pool runbook', ownerId: cast.responder.user.id, dueDate: '2030-01-15' });
    expect(finding.status, JSON.stringify(finding.body)).toBe(201);
    const refused = await cast.responder.client.post(`/api/drills/runs/${drill.id}/findings`, { title: 'x', ownerId: cast.responder.user.id, dueDate: '2030-01-15' });
    expect(refused.status).toBe(403);
    const mine = await cast.responder.client.get('/api/action-items?mine=1&origin=debrief');
    expect(mine.body.items).toHaveLength(1);
    expect(mine.body.items[0]).toMatchObject({ title: 'Add the rollback step to the pool runbook', origin: { kind: 'debrief', id: drill.id }, incident: { number: drill.incident.number }, kind: 'structural', status: 'open', dueDate: '2030-01-15' });

    const team = await cast.responder.client.get(`/api/drills/runs/${drill.id}/debrief`);
    expect(team.body.debrief.findings.map((f: { title: string }) => f.title)).toEqual(['Add the rollback step to the pool runbook']);
    expect(team.body.debrief.runbook).toMatchObject({ helped: 'partly', note: 'No rollback step' });
    const markdown = await fetch(`${server.url}/api/drills/runs/${drill.id}/debrief/export.md`, { headers: { cookie: cast.responder.client.cookie! } });
    expect(markdown.headers.get('content-type')).toMatch(/^text\/markdown/);
    const text = await markdown.text();
    expect(text).toContain('# Drill debrief: Checkout pool drill');
    expect(text).toContain('- DNS is flaky: written +');
    expect(text).toContain('| Add the rollback step to the pool runbook | Rey | 2030-01-15 | structural | open |');
  });
});
