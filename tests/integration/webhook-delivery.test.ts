/**
 * The outbox end to end against real receivers on 127.0.0.1: signed
 * delivery, retries while a receiver is down or failing, giving up, manual
 * retry, timeouts that do not hold up other endpoints, and the delivery log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueDeliveries } from '../../server/comms/webhooks/outbox.ts';
import { verifySignature } from '../../server/comms/webhooks/signature.ts';
import type { WebhookWorker } from '../../server/comms/webhooks/worker.ts';
import { waitFor } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestClient, type TestServer } from '../helpers/server.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { createEndpoint, deliveries, publishedUpdate, markerDelivered, startWorker, waitForDelivery } from '../helpers/webhooks.ts';

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

describe.each(backends)('webhook delivery (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let admin: TestClient;
  let worker: WebhookWorker | undefined;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (answer?: WebhookReceiver['answer']) => {
    const r = await WebhookReceiver.start(answer);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    admin = (await withAdmin(server)).admin.client;
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    // Endpoints of one test must not receive retries from the next test's worker.
    await db.sql`update webhook_endpoints set active = false`;
    for (const r of receivers.splice(0)) await r.close();
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('delivers a published update to each subscribed endpoint, signed, in its format, once', async () => {
    const hooks = await receiver();
    const json = await createEndpoint(admin, { url: hooks.url, format: 'json', audiences: ['leadership', 'public'] });
    const slack = await createEndpoint(admin, { url: hooks.url.replace('/hook', '/slack'), format: 'slack', audiences: ['leadership'] });
    const support = await createEndpoint(admin, { url: hooks.url.replace('/hook', '/support'), audiences: ['support'] });
    const inactive = await createEndpoint(admin, { url: hooks.url.replace('/hook', '/off'), audiences: ['leadership'], active: false });
    worker = startWorker(db.sql);

    const update = publishedUpdate({ audience: 'leadership' });
    // As the publish command does: inside its transaction.
    await db.sql.begin((tx) => enqueueDeliveries(tx, update));
    await waitFor(() => hooks.successes.length === 2, 'two deliveries');

    const jsonRequest = hooks.requests.find((r) => JSON.parse(r.body).type === 'incident.update.published')!;
    const slackRequest = hooks.requests.find((r) => 'blocks' in JSON.parse(r.body))!;
    for (const [request, secret] of [[jsonRequest, json.secret], [slackRequest, slack.secret]] as const) {
      expect(header(request.headers['content-type'])).toBe('application/json');
      expect(header(request.headers['x-warroom-delivery'])).toMatch(/^[a-z0-9]+$/);
      const signed = { body: request.body, signature: header(request.headers['x-warroom-signature']), timestamp: header(request.headers['x-warroom-timestamp']) };
      expect(verifySignature({ secret, ...signed })).toBe(true);
      expect(verifySignature({ secret: secret === json.secret ? slack.secret : json.secret, ...signed })).toBe(false);
    }
    expect(JSON.parse(jsonRequest.body)).toEqual({ type: 'incident.update.published', test: false, drill: false, update: { ...update, publishedAt: update.publishedAt.toISOString() } });
    expect(JSON.parse(slackRequest.body).text).toContain('INC-7 · SEV2 · Checkout is failing (identified)');

    // Publishing the same update again (a retried transaction) queues nothing new.
    await enqueueDeliveries(db.sql, update);
    await markerDelivered(admin);
    expect(hooks.requests).toHaveLength(2);
    const [logged] = await deliveries(admin, json.endpoint.id);
    expect(logged).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null, updateId: update.id, summary: 'INC-7 · leadership', test: false, nextAttemptAt: null });
    expect(logged.deliveredAt).toBeTruthy();
    expect(await deliveries(admin, support.endpoint.id)).toEqual([]);
    expect(await deliveries(admin, inactive.endpoint.id)).toEqual([]);
  });

  it('retries while the receiver is down and delivers once it is back', async () => {
    const hooks = await receiver();
    await hooks.down();
    const { endpoint, secret } = await createEndpoint(admin, { url: hooks.url });
    worker = startWorker(db.sql, { maxAttempts: 20 });
    await enqueueDeliveries(db.sql, publishedUpdate());

    const failing = await waitForDelivery(admin, endpoint.id, (d) => d.attempts >= 2 && d.status === 'pending', 'two failed attempts');
    expect(failing.lastError).toMatch(/ECONNREFUSED/);
    expect(failing.lastStatusCode).toBeNull();
    expect(failing.nextAttemptAt).toBeTruthy();

    await hooks.listen();
    const delivered = await waitForDelivery(admin, endpoint.id, (d) => d.status === 'delivered', 'delivery after the receiver came back');
    expect(delivered.attempts).toBeGreaterThanOrEqual(3);
    expect(delivered).toMatchObject({ lastStatusCode: 204, lastError: null });
    expect(hooks.requests).toHaveLength(1);
    const [request] = hooks.requests;
    expect(verifySignature({ secret, body: request.body, signature: header(request.headers['x-warroom-signature']), timestamp: header(request.headers['x-warroom-timestamp']) })).toBe(true);
  });

  it('retries a receiver answering 500, and the log shows each attempt and code', async () => {
    const hooks = await receiver((_, index) => (index < 2 ? 500 : 200));
    const { endpoint } = await createEndpoint(admin, { url: hooks.url });
    worker = startWorker(db.sql, { backoff: { baseMs: 300, maxMs: 300 } });
    await enqueueDeliveries(db.sql, publishedUpdate());

    const retrying = await waitForDelivery(admin, endpoint.id, (d) => d.status === 'pending' && d.attempts === 1, 'the first failed attempt');
    expect(retrying).toMatchObject({ lastStatusCode: 500, lastError: 'HTTP 500: answer 500' });
    const delivered = await waitForDelivery(admin, endpoint.id, (d) => d.status === 'delivered', 'delivery on the third attempt');
    expect(delivered).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });
    expect(hooks.requests.map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(new Set(hooks.requests.map((r) => header(r.headers['x-warroom-delivery']))).size).toBe(1);
  });

  it('gives up after the maximum attempts, and an admin retry sends it again', async () => {
    let healthy = false;
    const hooks = await receiver(() => (healthy ? 200 : 503));
    const { endpoint } = await createEndpoint(admin, { url: hooks.url });
    worker = startWorker(db.sql, { maxAttempts: 3 });
    await enqueueDeliveries(db.sql, publishedUpdate());

    const failed = await waitForDelivery(admin, endpoint.id, (d) => d.status === 'failed', 'giving up');
    expect(failed).toMatchObject({ attempts: 3, lastStatusCode: 503, nextAttemptAt: null });
    await markerDelivered(admin);
    expect(hooks.requests).toHaveLength(3);
    expect((await admin.get('/api/admin/webhooks')).body.endpoints.find((e: { id: string }) => e.id === endpoint.id).failed).toBe(1);

    healthy = true;
    const retried = await admin.post(`/api/admin/webhooks/deliveries/${failed.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.delivery).toMatchObject({ status: 'pending', attempts: 0 });
    await waitForDelivery(admin, endpoint.id, (d) => d.status === 'delivered', 'delivery after the manual retry');
    expect(hooks.successes).toHaveLength(1);
    expect((await admin.post(`/api/admin/webhooks/deliveries/${failed.id}/retry`)).status).toBe(409);
  });

  it('times out a receiver that never answers without holding up other endpoints', async () => {
    const slow = await receiver(() => 'hang');
    const fast = await receiver();
    const slowHook = await createEndpoint(admin, { url: slow.url, name: 'Slow' });
    // Long enough that, even on a loaded machine, the fast delivery cannot only have gone out after this timed out.
    worker = startWorker(db.sql, { timeoutMs: 8000, leaseMs: 16_000, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    await enqueueDeliveries(db.sql, publishedUpdate());
    await waitFor(() => slow.requests.length === 1, 'the slow endpoint to be called');

    const fastHook = await createEndpoint(admin, { url: fast.url, name: 'Fast' });
    await enqueueDeliveries(db.sql, publishedUpdate());
    await waitFor(() => fast.successes.length === 1, 'the fast endpoint to be delivered to');
    // Had the hanging send blocked the worker, this one would only go out after it timed out.
    expect(slow.requests[0].abandoned).toBe(false);
    expect((await deliveries(admin, slowHook.endpoint.id))[0].status).toBe('delivering');
    await waitForDelivery(admin, fastHook.endpoint.id, (d) => d.status === 'delivered', 'the fast delivery recorded');

    const timedOut = await waitForDelivery(admin, slowHook.endpoint.id, (d) => d.status === 'pending', 'the slow attempt to time out', 20_000);
    expect(timedOut).toMatchObject({ attempts: 1, lastStatusCode: null, lastError: 'timed out after 8000 ms' });
    expect(slow.requests[0].abandoned).toBe(true);
  });

  it('"send test" goes through the outbox and shows in the log', async () => {
    const hooks = await receiver();
    const { endpoint, secret } = await createEndpoint(admin, { url: hooks.url, format: 'slack', audiences: ['public'] });
    worker = startWorker(db.sql);
    const sent = await admin.post(`/api/admin/webhooks/${endpoint.id}/test`);
    expect(sent.status).toBe(202);
    expect(sent.body.delivery).toMatchObject({ status: 'pending', test: true, endpointId: endpoint.id });
    await waitFor(() => hooks.successes.length === 1, 'the test delivery');
    const [request] = hooks.requests;
    expect(JSON.parse(request.body).blocks[0].text.text).toMatch(/^\[TEST\] INC-0/);
    expect(verifySignature({ secret, body: request.body, signature: header(request.headers['x-warroom-signature']), timestamp: header(request.headers['x-warroom-timestamp']) })).toBe(true);
    await waitForDelivery(admin, endpoint.id, (d) => d.status === 'delivered' && d.test && d.id === sent.body.delivery.id, 'the test delivery in the log');
  });

  it('fails a row whose last allowed attempt died mid-send, instead of sending it a ninth time', async () => {
    const hooks = await receiver();
    const { endpoint } = await createEndpoint(admin, { url: hooks.url });
    await enqueueDeliveries(db.sql, publishedUpdate());
    // What a process killed during its final attempt leaves behind once the lease has run out.
    await db.sql`
      update webhook_deliveries set status = 'delivering', attempts = 4, last_error = 'HTTP 502', next_attempt_at = now() - interval '1 second'
      where endpoint_id = ${endpoint.id}`;
    worker = startWorker(db.sql, { maxAttempts: 4 });
    const failed = await waitForDelivery(admin, endpoint.id, (d) => d.status === 'failed', 'the exhausted row to fail');
    expect(failed.lastError).toMatch(/stopped mid-send/);
    await markerDelivered(admin);
    expect(hooks.requests).toHaveLength(0);
  });

  it('stop() waits for a send in flight and records its outcome', async () => {
    const hooks = await receiver(() => ({ status: 200, afterMs: 400 }));
    const { endpoint } = await createEndpoint(admin, { url: hooks.url });
    worker = startWorker(db.sql, { timeoutMs: 3000, leaseMs: 6000 });
    await enqueueDeliveries(db.sql, publishedUpdate());
    await waitFor(() => hooks.requests.length === 1, 'the request to arrive');
    await worker.stop();
    worker = undefined;
    expect((await deliveries(admin, endpoint.id))[0]).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200 });
  });
});
