/**
 * The outbox survives the process: the server (API + delivery worker) is a
 * child process we SIGKILL, once while a delivery waits for its retry and
 * once in the middle of a send. A new process on the same database finishes
 * the job, and the receiver sees exactly one successful delivery.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { TestClient } from '../helpers/server.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { createEndpoint, deliveries, markerDelivered, waitForDelivery } from '../helpers/webhooks.ts';

const CHILD = join(import.meta.dirname, '..', 'helpers', 'webhook-child.ts');
const WORKER_ENV = { WEBHOOK_POLL_MS: '50', WEBHOOK_BACKOFF_MS: '1500', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_LEASE_MS: '3000' };

function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', CHILD], {
    env: { ...process.env, ...WORKER_ENV, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    // A child that never said it started is killed: left running, it would hold the data directory's lock.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the child server did not start within 30 s'));
    }, 30_000);
    child.once('exit', (code) => reject(new Error(`the child server exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, url: JSON.parse(line).url });
    });
  });
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));

async function kill(child: ChildProcess) {
  child.kill('SIGKILL');
  await exited(child);
}

describe.each(backends)('webhook delivery across a crash (%s)', (backend) => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let env: Record<string, string>;
  let running: ChildProcess | undefined;
  let cookie: string | null = null;
  const receivers: WebhookReceiver[] = [];

  /** A fresh server process on the same database, with the admin's session. */
  async function restart(): Promise<TestClient> {
    if (running) await kill(running);
    const { child, url } = await startChild(env);
    running = child;
    const client = new TestClient(url);
    if (cookie) client.cookie = cookie;
    else {
      const signup = await client.post('/api/auth/signup', { email: 'hooks@example.com', displayName: 'Hooks', password: 'webhook crash passphrase' });
      expect(signup.status).toBe(201);
      cookie = client.cookie;
    }
    return client;
  }

  beforeAll(async () => {
    if (backend === 'postgres') {
      db = await openTestDatabase('postgres', { migrate: false });
      env = { DATABASE_URL: db.url!, DB_SCHEMA: db.schema! };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'warroom-webhooks-'));
      env = { DATA_DIR: dataDir };
    }
  });
  afterAll(async () => {
    if (running) await kill(running);
    for (const r of receivers) await r.close();
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('killed while a delivery waits for its retry: the next process delivers it, once', { timeout: 60_000 }, async () => {
    const hooks = await WebhookReceiver.start((_, index) => (index === 0 ? 500 : 200));
    receivers.push(hooks);
    let admin = await restart();
    const { endpoint } = await createEndpoint(admin, { url: hooks.url });
    expect((await admin.post(`/api/admin/webhooks/${endpoint.id}/test`)).status).toBe(202);
    await waitForDelivery(admin, endpoint.id, (d) => d.status === 'pending' && d.attempts === 1, 'the first attempt to fail and be recorded');

    admin = await restart();
    const delivered = await waitForDelivery(admin, endpoint.id, (d) => d.status === 'delivered', 'delivery by the new process', 20_000);
    expect(delivered).toMatchObject({ attempts: 2, lastStatusCode: 200 });
    await markerDelivered(admin);
    expect(hooks.requests.map((r) => r.answered)).toEqual([500, 200]);
    expect(new Set(hooks.requests.map((r) => r.headers['x-warroom-delivery'])).size).toBe(1);
    expect(await deliveries(admin, endpoint.id)).toHaveLength(1);
  });

  it('killed in the middle of a send: the lease runs out and the next process sends it again, once', { timeout: 60_000 }, async () => {
    const hooks = await WebhookReceiver.start((_, index) => (index === 0 ? 'hang' : 200));
    receivers.push(hooks);
    let admin = await restart();
    const { endpoint } = await createEndpoint(admin, { url: hooks.url });
    expect((await admin.post(`/api/admin/webhooks/${endpoint.id}/test`)).status).toBe(202);
    await waitFor(() => hooks.requests.length === 1, 'the first request to arrive');

    admin = await restart();
    const delivered = await waitForDelivery(admin, endpoint.id, (d) => d.status === 'delivered', 'delivery after the lease ran out', 20_000);
    expect(delivered).toMatchObject({ attempts: 2, lastStatusCode: 200 });
    await markerDelivered(admin);
    expect(hooks.requests.map((r) => r.answered)).toEqual([null, 200]);
    expect(hooks.successes).toHaveLength(1);
    expect(new Set(hooks.requests.map((r) => r.headers['x-warroom-delivery'])).size).toBe(1);
  });
});
