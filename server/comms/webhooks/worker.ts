import type { Sql } from '../../db/sql.ts';
import type { Logger } from '../../log.ts';
import { backoffDelay, DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, type BackoffOptions } from './backoff.ts';
import { onEnqueue } from './outbox.ts';
import { signedHeaders } from './signature.ts';

export interface WorkerOptions {
  sql: Sql;
  log: Logger;
  /** How often to look for due deliveries when nothing nudges the worker. */
  pollIntervalMs?: number;
  /** Sends in flight at once; a hanging endpoint holds one slot, not the worker. */
  concurrency?: number;
  /** Per attempt, connecting through reading the start of the response. */
  timeoutMs?: number;
  /** How long a claimed row stays ours; after that another worker may retry it. Must exceed timeoutMs. */
  leaseMs?: number;
  maxAttempts?: number;
  backoff?: BackoffOptions;
  nudgeDelayMs?: number;
}

interface ClaimedRow {
  id: string;
  endpoint_id: string;
  payload: unknown;
  attempts: number;
  url: string;
  secret: string;
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
}

const SNIPPET_BYTES = 300;

/**
 * Drains the webhook outbox: claims due rows (SKIP LOCKED, so several
 * processes can share one database), POSTs them signed, and records the
 * outcome. At-least-once: a process that dies mid-send leaves its rows
 * 'delivering' until the lease runs out, then they are sent again with the
 * same X-Warroom-Delivery id for receivers to de-duplicate.
 */
export class WebhookWorker {
  readonly #sql: Sql;
  readonly #log: Logger;
  readonly #pollIntervalMs: number;
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  readonly #leaseMs: number;
  readonly #maxAttempts: number;
  readonly #backoff: BackoffOptions;
  readonly #nudgeDelayMs: number;
  readonly #inFlight = new Set<Promise<void>>();
  #running = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #timerDue = Infinity;
  #ticking: Promise<void> | null = null;
  #tickAgain = false;
  #unsubscribe: (() => void) | null = null;

  constructor(options: WorkerOptions) {
    this.#sql = options.sql;
    this.#log = options.log.child({ component: 'webhooks' });
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#concurrency = options.concurrency ?? 8;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#leaseMs = options.leaseMs ?? this.#timeoutMs + 30_000;
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#nudgeDelayMs = options.nudgeDelayMs ?? 50;
    if (this.#leaseMs <= this.#timeoutMs) throw new Error('webhook worker: leaseMs must be longer than timeoutMs');
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = onEnqueue(() => this.nudge());
    this.#schedule(0);
  }

  /** Look for due deliveries soon rather than at the next poll. */
  nudge(): void {
    if (this.#running) this.#schedule(this.#nudgeDelayMs);
  }

  /** Stops claiming, then waits for sends in flight (each bounded by the timeout) to be recorded. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerDue = Infinity;
    await this.#ticking;
    await Promise.allSettled([...this.#inFlight]);
  }

  #schedule(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.#timer && this.#timerDue <= due) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#timerDue = Infinity;
      void this.#runTick();
    }, delayMs);
    this.#timer.unref();
  }

  async #runTick(): Promise<void> {
    if (!this.#running) return;
    if (this.#ticking) {
      this.#tickAgain = true;
      return;
    }
    this.#ticking = this.tick()
      .then(() => undefined)
      .catch((error) => this.#log.error({ err: error }, 'webhook outbox poll failed; trying again at the next poll'));
    await this.#ticking;
    this.#ticking = null;
    if (!this.#running) return;
    if (this.#tickAgain) {
      this.#tickAgain = false;
      this.#schedule(0);
    } else this.#schedule(this.#pollIntervalMs);
  }

  /** One pass: gives up on exhausted rows, claims what is due and starts sending it. Returns how many it claimed. */
  async tick(): Promise<number> {
    await this.#sql`
      update webhook_deliveries set status = 'failed',
        last_error = case when status = 'delivering' then 'no response was recorded: the sending process stopped mid-send' else last_error end
      where status in ('pending', 'delivering') and next_attempt_at <= now() and attempts >= ${this.#maxAttempts}`;
    const free = this.#concurrency - this.#inFlight.size;
    if (free <= 0) return 0;
    const rows = await this.#sql<ClaimedRow>`
      update webhook_deliveries d
      set status = 'delivering', attempts = d.attempts + 1, last_attempt_at = now(),
        next_attempt_at = now() + ${this.#leaseMs} * interval '1 millisecond'
      from webhook_endpoints e
      where e.id = d.endpoint_id and d.id in (
        select c.id from webhook_deliveries c join webhook_endpoints ce on ce.id = c.endpoint_id
        where ce.active and c.status in ('pending', 'delivering') and c.next_attempt_at <= now()
          and c.attempts < ${this.#maxAttempts}
        order by c.next_attempt_at
        limit ${free}
        for update of c skip locked)
      returning d.id, d.endpoint_id, d.payload, d.attempts, e.url, e.secret`;
    for (const row of rows) {
      const sending: Promise<void> = this.#deliver(row).finally(() => {
        this.#inFlight.delete(sending);
        // A slot is free: anything else due should not wait for the next poll.
        if (this.#running) this.#schedule(0);
      });
      this.#inFlight.add(sending);
    }
    return rows.length;
  }

  async #deliver(row: ClaimedRow): Promise<void> {
    const outcome = await this.#post(row);
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const context = { deliveryId: row.id, endpointId: row.endpoint_id, attempt: row.attempts, statusCode: outcome.statusCode };
    try {
      // The attempts guard: if our lease ran out and another worker re-claimed the row, its outcome wins.
      if (ok) {
        await this.#sql`
          update webhook_deliveries set status = 'delivered', delivered_at = now(), last_status_code = ${outcome.statusCode}, last_error = null
          where id = ${row.id} and status = 'delivering' and attempts = ${row.attempts}`;
        this.#log.info(context, 'webhook delivered');
      } else if (row.attempts >= this.#maxAttempts) {
        await this.#sql`
          update webhook_deliveries set status = 'failed', last_status_code = ${outcome.statusCode}, last_error = ${outcome.error}
          where id = ${row.id} and status = 'delivering' and attempts = ${row.attempts}`;
        this.#log.error({ ...context, error: outcome.error }, `webhook delivery failed for good after ${row.attempts} attempts`);
      } else {
        const delayMs = backoffDelay(row.attempts, this.#backoff);
        await this.#sql`
          update webhook_deliveries set status = 'pending', last_status_code = ${outcome.statusCode}, last_error = ${outcome.error},
            next_attempt_at = now() + ${delayMs} * interval '1 millisecond'
          where id = ${row.id} and status = 'delivering' and attempts = ${row.attempts}`;
        this.#log.warn({ ...context, error: outcome.error, retryInMs: delayMs }, 'webhook attempt failed; will retry');
      }
    } catch (error) {
      // The lease expires and the row is retried, so this costs a duplicate at worst.
      this.#log.error({ ...context, err: error }, 'could not record a webhook attempt');
    }
  }

  async #post(row: ClaimedRow): Promise<Outcome> {
    const body = JSON.stringify(row.payload);
    try {
      const response = await fetch(row.url, {
        method: 'POST',
        headers: signedHeaders(row.secret, body, row.id),
        body,
        // A redirect is an answer we do not follow: the admin configured this exact URL.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const ok = response.status >= 200 && response.status < 300;
      const snippet = await readSnippet(response);
      return { statusCode: response.status, error: ok ? null : `HTTP ${response.status}${snippet ? `: ${snippet}` : ''}` };
    } catch (error) {
      return { statusCode: null, error: describeFetchError(error, this.#timeoutMs) };
    }
  }
}

/** The start of the response body, for the log; the rest is discarded so the connection is freed. */
async function readSnippet(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still leaves a status code worth recording.
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).toString('utf8', 0, Math.min(size, SNIPPET_BYTES)).replace(/\s+/g, ' ').trim();
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  // fetch reports every network failure as "fetch failed"; the cause says which.
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
