import { generateSecureRandomString } from '../../auth/tokens.ts';
import type { Sql } from '../../db/sql.ts';
import type { Audience } from '../../shared/audiences.ts';
import type { WebhookFormat } from './payload.ts';

export interface WebhookEndpoint {
  id: string;
  name: string;
  url: string;
  audiences: Audience[];
  format: WebhookFormat;
  active: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Deliveries waiting or being retried, and given up on. */
  pending: number;
  failed: number;
  lastDeliveredAt: Date | null;
}

export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed';

export interface Delivery {
  id: string;
  endpointId: string;
  updateId: string;
  summary: string;
  test: boolean;
  status: DeliveryStatus;
  attempts: number;
  /** The next retry for 'pending', the lease expiry for 'delivering'. */
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

interface EndpointRow {
  id: string;
  name: string;
  url: string;
  audiences: Audience[];
  format: WebhookFormat;
  active: boolean;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  pending?: number;
  failed?: number;
  last_delivered_at?: Date | null;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  update_id: string;
  summary: string;
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

export const TEST_UPDATE_PREFIX = 'test-';

function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    audiences: row.audiences,
    format: row.format,
    active: row.active,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    pending: row.pending ?? 0,
    failed: row.failed ?? 0,
    lastDeliveredAt: row.last_delivered_at ?? null,
  };
}

export function toDelivery(row: DeliveryRow): Delivery {
  const settled = row.status === 'delivered' || row.status === 'failed';
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    updateId: row.update_id,
    summary: row.summary,
    test: row.update_id.startsWith(TEST_UPDATE_PREFIX),
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: settled ? null : row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

/** 32 characters of Lucia's alphabet: 160 bits. The prefix makes a leaked one recognisable. */
export const generateWebhookSecret = () => `whsec_${generateSecureRandomString(32)}`;

export async function listEndpoints(sql: Sql): Promise<WebhookEndpoint[]> {
  const rows = await sql<EndpointRow>`
    select e.id, e.name, e.url, e.audiences, e.format, e.active, e.created_by, e.created_at, e.updated_at,
      (select count(*)::int from webhook_deliveries d where d.endpoint_id = e.id and d.status in ('pending', 'delivering')) as pending,
      (select count(*)::int from webhook_deliveries d where d.endpoint_id = e.id and d.status = 'failed') as failed,
      (select max(d.delivered_at) from webhook_deliveries d where d.endpoint_id = e.id) as last_delivered_at
    from webhook_endpoints e
    order by e.created_at, e.id`;
  return rows.map(toEndpoint);
}

export async function findEndpoint(sql: Sql, id: string): Promise<WebhookEndpoint | null> {
  const rows = await sql<EndpointRow>`
    select id, name, url, audiences, format, active, created_by, created_at, updated_at from webhook_endpoints where id = ${id}`;
  return rows[0] ? toEndpoint(rows[0]) : null;
}

export interface EndpointInput {
  name: string;
  url: string;
  audiences: Audience[];
  format: WebhookFormat;
  active?: boolean;
}

/** Returns the secret once, alongside the endpoint; listings never include it. */
export async function createEndpoint(sql: Sql, input: EndpointInput & { createdBy: string }): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = generateWebhookSecret();
  const [row] = await sql<EndpointRow>`
    insert into webhook_endpoints (id, name, url, audiences, format, secret, active, created_by)
    values (${generateSecureRandomString()}, ${input.name}, ${input.url}, ${input.audiences}::text[], ${input.format}, ${secret},
            ${input.active ?? true}, ${input.createdBy})
    returning id, name, url, audiences, format, active, created_by, created_at, updated_at`;
  return { endpoint: toEndpoint(row), secret };
}

export async function updateEndpoint(sql: Sql, id: string, changes: Partial<EndpointInput>): Promise<WebhookEndpoint | null> {
  const rows = await sql<EndpointRow>`
    update webhook_endpoints set
      name = coalesce(${changes.name ?? null}, name),
      url = coalesce(${changes.url ?? null}, url),
      audiences = coalesce(${changes.audiences ?? null}::text[], audiences),
      format = coalesce(${changes.format ?? null}, format),
      active = coalesce(${changes.active ?? null}::boolean, active),
      updated_at = now()
    where id = ${id}
    returning id, name, url, audiences, format, active, created_by, created_at, updated_at`;
  return rows[0] ? toEndpoint(rows[0]) : null;
}

/** A new secret takes effect for every later attempt, including retries already queued. */
export async function rotateSecret(sql: Sql, id: string): Promise<string | null> {
  const secret = generateWebhookSecret();
  const rows = await sql`update webhook_endpoints set secret = ${secret}, updated_at = now() where id = ${id} returning id`;
  return rows.length > 0 ? secret : null;
}

/** Deletes the endpoint and its delivery log. */
export async function deleteEndpoint(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`delete from webhook_endpoints where id = ${id} returning id`;
  return rows.length > 0;
}

export async function listDeliveries(sql: Sql, endpointId: string, limit = 100): Promise<Delivery[]> {
  const rows = await sql<DeliveryRow>`
    select * from webhook_deliveries where endpoint_id = ${endpointId}
    order by created_at desc, id limit ${limit}`;
  return rows.map(toDelivery);
}
