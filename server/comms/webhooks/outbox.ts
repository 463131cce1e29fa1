import { generateSecureRandomString } from '../../auth/tokens.ts';
import type { Sql } from '../../db/sql.ts';
import type { PublishedUpdate } from '../types.ts';
import { buildPayload, type WebhookFormat } from './payload.ts';
import { TEST_UPDATE_PREFIX, toDelivery, type Delivery, type DeliveryRow } from './repo.ts';

type Listener = () => void;
const listeners = new Set<Listener>();

/**
 * Lets delivery workers in this process start sending soon after a row is
 * queued instead of at their next poll. The publishing transaction may not
 * have committed yet when this fires, so the worker still polls.
 */
export function onEnqueue(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify() {
  for (const listener of listeners) listener();
}

const summaryOf = (update: PublishedUpdate) => `${update.incidentRef} · ${update.audience}`;

async function insertDelivery(sql: Sql, endpointId: string, update: PublishedUpdate, payload: unknown): Promise<DeliveryRow | null> {
  const rows = await sql<DeliveryRow>`
    insert into webhook_deliveries (id, endpoint_id, update_id, summary, payload)
    values (${generateSecureRandomString()}, ${endpointId}, ${update.id}, ${summaryOf(update)}, ${payload}::jsonb)
    on conflict (endpoint_id, update_id) do nothing
    returning *`;
  return rows[0] ?? null;
}

/**
 * Queues one delivery per active webhook endpoint subscribed to the update's
 * audience. Called inside the publishing transaction, so an update and its
 * deliveries commit together; sending happens later in the delivery worker.
 * Calling it again for the same update is a no-op.
 */
export async function enqueueDeliveries(sql: Sql, update: PublishedUpdate): Promise<void> {
  const endpoints = await sql<{ id: string; format: WebhookFormat }>`
    select id, format from webhook_endpoints where active and ${update.audience} = any(audiences)`;
  if (endpoints.length === 0) return;
  const payloads = new Map<WebhookFormat, unknown>();
  for (const { id, format } of endpoints) {
    if (!payloads.has(format)) payloads.set(format, buildPayload(format, update));
    await insertDelivery(sql, id, update, payloads.get(format));
  }
  notify();
}

/** A synthetic update through the same outbox, so a test send shows in the delivery log like a real one. */
export async function enqueueTestDelivery(
  sql: Sql,
  endpoint: { id: string; format: WebhookFormat; audiences: PublishedUpdate['audience'][] },
  by: { id: string; displayName: string },
): Promise<Delivery> {
  const update: PublishedUpdate = {
    id: `${TEST_UPDATE_PREFIX}${generateSecureRandomString()}`,
    incidentId: 'test',
    incidentRef: 'INC-0',
    incidentTitle: 'Test delivery from Warroom',
    severity: 4,
    incidentState: 'investigating',
    drill: false,
    audience: endpoint.audiences[0] ?? 'responders',
    bodyMarkdown: 'This is a **test** of your Warroom webhook. No incident is open.',
    bodyHtml: '<p>This is a <strong>test</strong> of your Warroom webhook. No incident is open.</p>',
    authorId: by.id,
    authorName: by.displayName,
    publishedAt: new Date(),
  };
  const row = await insertDelivery(sql, endpoint.id, update, buildPayload(endpoint.format, update, { test: true }));
  if (!row) throw new Error('a fresh test update id collided');
  notify();
  return toDelivery(row);
}

/**
 * Sends a failed (or still waiting) delivery again now, with a fresh attempt
 * budget. Null when there is no such delivery; 'busy' when it is being sent
 * or was already delivered.
 */
export async function retryDelivery(sql: Sql, id: string): Promise<Delivery | null | 'busy'> {
  const rows = await sql<DeliveryRow>`
    update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = now()
    where id = ${id} and status in ('pending', 'failed')
    returning *`;
  if (rows[0]) {
    notify();
    return toDelivery(rows[0]);
  }
  const exists = await sql`select 1 from webhook_deliveries where id = ${id}`;
  return exists.length > 0 ? 'busy' : null;
}
