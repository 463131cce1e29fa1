/**
 * The seam between publishing and webhooks, through the public API: a
 * commander publishes, and each endpoint subscribed to that audience gets the
 * update, signed; the same publish repeated (same idempotency key) sends nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../server/comms/webhooks/signature.ts';
import type { WebhookWorker } from '../../server/comms/webhooks/worker.ts';
import { waitFor } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { createEndpoint, deliveries, markerDelivered, startWorker } from '../helpers/webhooks.ts';

describe.each(backends)('publishing delivers webhooks (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let worker: WebhookWorker;
  let hooks: WebhookReceiver;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    worker = startWorker(db.sql);
    hooks = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await hooks?.close();
    await server?.close();
    await db?.close();
  });

  it('sends a published leadership update to leadership endpoints only, once per publish', async () => {
    const cast = await incidentCast(server);
    const leadership = await createEndpoint(cast.admin.client, { url: hooks.url, format: 'json', audiences: ['leadership'] });
    const publicOnly = await createEndpoint(cast.admin.client, { url: hooks.url.replace('/hook', '/public'), audiences: ['public'] });
    const incident = await declare(cast.commander, { title: 'Payments are slow', severity: 1 });

    const publish = () => cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'leadership', body: 'Card payments are **slow**; ETA 30 min.', idempotencyKey: 'publish-webhook-1' });
    const first = await publish();
    expect(first.status, JSON.stringify(first.body)).toBeLessThan(300);
    await waitFor(() => hooks.successes.length === 1, 'the webhook for the published update');
    expect((await publish()).status).toBeLessThan(300);
    await markerDelivered(cast.admin.client);
    expect(hooks.requests).toHaveLength(1);

    const [request] = hooks.requests;
    const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
    expect(verifySignature({ secret: leadership.secret, body: request.body, signature: one(request.headers['x-warroom-signature']), timestamp: one(request.headers['x-warroom-timestamp']) })).toBe(true);
    const { update } = JSON.parse(request.body);
    expect(update).toMatchObject({ incidentRef: incident.ref, incidentTitle: 'Payments are slow', severity: 1, audience: 'leadership', bodyMarkdown: 'Card payments are **slow**; ETA 30 min.' });
    expect(update.bodyHtml).toContain('<strong>slow</strong>');
    expect(JSON.parse(request.body).drill).toBe(false);
    expect(await deliveries(cast.admin.client, publicOnly.endpoint.id)).toEqual([]);

    // A drill's updates reach the same real endpoints, so every payload says it is a drill.
    await createEndpoint(cast.admin.client, { url: hooks.url, format: 'slack', audiences: ['support'] });
    const drill = await declare(cast.commander, { title: 'Game day: database failover', severity: 2, drill: true });
    for (const audience of ['leadership', 'support']) {
      const published = await cast.commander.client.post(`/api/incidents/${drill.ref}/updates`, { audience, body: 'Failing over the primary.', idempotencyKey: `drill-${audience}` });
      expect(published.status, JSON.stringify(published.body)).toBe(201);
    }
    await waitFor(() => hooks.successes.length === 3, 'both drill deliveries');
    const bodies = hooks.requests.map((r) => JSON.parse(r.body));
    expect(bodies.find((b) => b.type && b.update.incidentRef === drill.ref)).toMatchObject({ drill: true, update: { drill: true } });
    const drillSlack = bodies.find((b) => b.blocks);
    expect(drillSlack.drill).toBe(true);
    expect(drillSlack.text).toMatch(new RegExp(`^\\[DRILL\\] ${drill.ref} `));
  });
});
