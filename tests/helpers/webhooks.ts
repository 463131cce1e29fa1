import { expect } from 'vitest';
import type { PublishedUpdate } from '../../server/comms/types.ts';
import { WebhookWorker, type WorkerOptions } from '../../server/comms/webhooks/worker.ts';
import { createLogger } from '../../server/log.ts';
import type { Sql } from '../../server/db/sql.ts';
import { waitFor } from './collab.ts';
import { WebhookReceiver } from './webhook-receiver.ts';
import type { TestClient } from './server.ts';

let updates = 0;
/** A published update as the publish command would hand it over (no published_updates row needed). */
export function publishedUpdate(overrides: Partial<PublishedUpdate> = {}): PublishedUpdate {
  const n = ++updates;
  return {
    id: `upd-${process.pid}-${n}-${Math.random().toString(36).slice(2, 8)}`,
    incidentId: 'inc1',
    incidentRef: 'INC-7',
    incidentTitle: 'Checkout is failing',
    severity: 2,
    incidentState: 'identified',
    drill: false,
    audience: 'leadership',
    bodyMarkdown: 'We found the **cause**. Next update at 11:00.',
    bodyHtml: '<p>We found the <strong>cause</strong>. Next update at 11:00.</p>',
    authorId: 'u1',
    authorName: 'Ana',
    publishedAt: new Date('2026-11-23T10:30:00Z'),
    ...overrides,
  };
}

/** Test-speed settings: retries in a few hundred milliseconds. */
export const FAST: Omit<WorkerOptions, 'sql' | 'log'> = {
  pollIntervalMs: 50,
  timeoutMs: 500,
  leaseMs: 1500,
  maxAttempts: 4,
  backoff: { baseMs: 100, maxMs: 300 },
  nudgeDelayMs: 10,
};

export function startWorker(sql: Sql, options: Partial<WorkerOptions> = {}): WebhookWorker {
  const worker = new WebhookWorker({ sql, log: createLogger((process.env.TEST_LOG_LEVEL as 'info') ?? 'silent'), ...FAST, ...options });
  worker.start();
  return worker;
}

export async function createEndpoint(admin: TestClient, body: Record<string, unknown>) {
  const response = await admin.post('/api/admin/webhooks', { name: 'Hook', format: 'json', audiences: ['leadership'], ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { endpoint: { id: string; [key: string]: any }; secret: string };
}

/** A row of the delivery log as the API returns it. */
export interface LoggedDelivery {
  id: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  [key: string]: any;
}

export async function deliveries(admin: TestClient, endpointId: string): Promise<LoggedDelivery[]> {
  const response = await admin.get(`/api/admin/webhooks/${endpointId}/deliveries`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.deliveries;
}

/** Polls the delivery log until `check` holds for the newest delivery. */
export async function waitForDelivery(admin: TestClient, endpointId: string, check: (d: LoggedDelivery) => boolean, what: string, timeoutMs = 10_000): Promise<LoggedDelivery> {
  const found = await waitFor(async () => {
    const [latest] = await deliveries(admin, endpointId);
    return latest && check(latest) ? latest : null;
  }, what, timeoutMs);
  return found!;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves once the worker has sent a delivery queued now, to an endpoint of
 * its own (removed afterwards). Rows queued earlier come due first, so a send
 * that was going to happen has happened: use it before asserting that nothing
 * more was sent, instead of a fixed sleep that passes falsely on a slow machine.
 */
export async function markerDelivered(admin: TestClient): Promise<void> {
  const receiver = await WebhookReceiver.start();
  try {
    const { endpoint } = await createEndpoint(admin, { name: 'Marker', url: receiver.url });
    expect((await admin.post(`/api/admin/webhooks/${endpoint.id}/test`)).status).toBe(202);
    await waitFor(() => receiver.successes.length === 1, 'the marker delivery', 20_000);
    expect((await admin.request('DELETE', `/api/admin/webhooks/${endpoint.id}`)).status).toBeLessThan(300);
  } finally {
    await receiver.close();
  }
}
