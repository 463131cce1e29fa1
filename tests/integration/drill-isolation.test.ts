/**
 * A drill run from a scenario is practice everywhere it shows: its updates
 * reach real webhooks marked `drill: true` and `[DRILL]`, the status page
 * refuses it, search leaves it out unless asked, and it never counts in
 * /metrics or its CSV, however it ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookWorker } from '../../server/comms/webhooks/worker.ts';
import { waitFor } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { createScenario, scenarioText, startDrill } from '../helpers/drills.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { createEndpoint, startWorker } from '../helpers/webhooks.ts';

describe.each(backends)('drills stay practice (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let worker: WebhookWorker;
  let hooks: WebhookReceiver;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    worker = startWorker(db.sql);
    hooks = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await hooks?.close();
    await server?.close();
    await db?.close();
  });

  it('marks every webhook, refuses the status page, stays out of search by default and out of the metrics', async () => {
    const facilitator = cast.observer;
    await createEndpoint(cast.admin.client, { url: hooks.url, format: 'json', audiences: ['leadership'] });
    await createEndpoint(cast.admin.client, { url: hooks.url, format: 'slack', audiences: ['support'] });
    const real = await declare(cast.commander, { title: 'Quokka checkout outage', services: ['checkout'] });
    const scenario = await createScenario(facilitator, scenarioText({ title: 'Quokka checkout drill' }));
    const drill = await startDrill(facilitator, scenario.id, [cast.commander, cast.responder]);
    const ref = drill.incident.ref;
    expect((await cast.commander.client.get(`/api/incidents/${ref}`)).body.incident).toMatchObject({ drill: true, title: 'Quokka checkout drill' });

    // Webhooks: the commander's updates go to the real endpoints, each saying it is a drill.
    for (const audience of ['leadership', 'support']) {
      const published = await cast.commander.client.post(`/api/incidents/${ref}/updates`, { audience, body: 'Rolling back release 2026.41.', idempotencyKey: `drill-${audience}` });
      expect(published.status, JSON.stringify(published.body)).toBe(201);
    }
    await waitFor(() => hooks.successes.length === 2, 'both drill deliveries');
    const bodies = hooks.requests.map((r) => JSON.parse(r.body));
    expect(bodies.find((b) => !b.blocks)).toMatchObject({ drill: true, update: { drill: true, incidentRef: ref } });
    expect(bodies.find((b) => b.blocks)).toMatchObject({ drill: true, text: expect.stringMatching(new RegExp(`^\\[DRILL\\] ${ref} `)) });

    // The public status page never shows practice to customers.
    const page = await cast.commander.client.post(`/api/incidents/${ref}/status-page`, { public: true, publicTitle: 'Checkout errors' });
    expect(page.status).toBe(409);
    expect(page.body.error.code).toBe('drill');

    // Search: left out unless asked for.
    const refs = async (query: string) => (await cast.admin.client.get(`/api/search?${query}`)).body.results.map((r: { ref: string }) => r.ref).sort();
    expect(await refs('q=quokka')).toEqual([real.ref]);
    expect(await refs('q=quokka&drills=include')).toEqual([real.ref, ref].sort());
    expect(await refs('q=quokka&drills=only')).toEqual([ref]);

    // Metrics: the team resolves the real incident, the facilitator ends the drill; only the real one counts.
    expect((await cast.commander.client.post(`/api/incidents/${real.ref}/state`, { state: 'resolved' })).status).toBe(200);
    expect((await facilitator.client.post(`/api/drills/runs/${drill.id}/end`)).body.drill.incident.state).toBe('resolved');
    const metrics = await cast.admin.client.get('/api/metrics?period=week');
    expect(metrics.body.totals.incidents).toBe(1);
    expect(metrics.body.totals.mttr.measured).toBe(1);
    const csv = await fetch(`${server.url}/api/metrics/export.csv?period=week`, { headers: { cookie: cast.admin.client.cookie! } }).then((r) => r.text());
    expect(csv).toContain(`${real.ref},`);
    expect(csv).not.toContain(`${ref},`);
  });
});
