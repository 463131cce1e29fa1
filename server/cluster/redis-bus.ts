/**
 * The fast path between processes: Redis pub/sub. Pub/sub rather than
 * streams because PostgreSQL already is the durable, ordered record (every
 * change has its per-document number there); Redis only has to be quick.
 * A message Redis drops (a restart, a slow subscriber cut off) shows up as a
 * missing number and is read from the log, so nothing needs Redis to keep
 * anything, and there is no stream to trim.
 *
 * Two channels for the whole cluster: documents and control. Every process
 * hears every document's messages and drops those of rooms it does not hold:
 * one subscription, restored by the client on reconnect, with no
 * subscribe/unsubscribe race when rooms load and unload. The cost (each
 * process reads the cluster's whole update rate) is in docs/scaling.md.
 *
 * Publishing never queues while Redis is away (the offline queue is off): a
 * publish fails at once, the bus says it is down, and rooms fall back to
 * reading the log until it is back.
 */
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../log.ts';

export type BusState = 'up' | 'down';

export interface BusOptions {
  url: string;
  /** Prefix of every channel and key, so several clusters (or tests) share one Redis. */
  prefix: string;
  log: Logger;
  onDocMessage(frame: Uint8Array): void;
  onControlMessage(text: string): void;
  /** Redis came back after being down: whatever was published meanwhile may be lost. */
  onRecovered(): void;
  onDown(): void;
}

/** Reconnect quickly at first, then every two seconds. */
const reconnectDelay = (retries: number) => Math.min(50 * 2 ** retries, 2000);

export class RedisBus {
  readonly #options: BusOptions;
  readonly publisher: RedisClientType;
  readonly #subscriber: RedisClientType;
  #state: BusState = 'down';
  #since = Date.now();
  #published = 0;
  #lastError: string | null = null;
  #closing = false;

  constructor(options: BusOptions) {
    this.#options = options;
    // The subscriber queues its SUBSCRIBE while Redis is away (sent, and restored, on every connect).
    const client = (name: string, queue: boolean) =>
      createClient({
        url: options.url,
        name,
        disableOfflineQueue: !queue,
        socket: { reconnectStrategy: reconnectDelay, connectTimeout: 2000 },
      }) as RedisClientType;
    this.publisher = client('warroom-publish', false);
    this.#subscriber = client('warroom-subscribe', true);
    for (const c of [this.publisher, this.#subscriber]) {
      // The client retries on its own; one log line per outage is enough (see #setState).
      c.on('error', (error: Error) => {
        this.#lastError = error.message;
        this.#setState();
      });
      c.on('ready', () => this.#setState());
      c.on('end', () => this.#setState());
    }
  }

  get docChannel(): string {
    return `${this.#options.prefix}:docs`;
  }

  get controlChannel(): string {
    return `${this.#options.prefix}:control`;
  }

  get state(): BusState {
    return this.#state;
  }

  /** Since when the bus is in its current state, and the last error while down, for /readyz. */
  get detail() {
    return { redis: this.#state, since: new Date(this.#since).toISOString(), ...(this.#state === 'down' && this.#lastError ? { lastError: this.#lastError } : {}) };
  }

  /** Frames published since start, for the benchmark. */
  get published(): number {
    return this.#published;
  }

  /**
   * Connects both clients, waiting at most `waitMs` for them: a Redis that is
   * down at start is retried in the background (the log carries rooms until
   * then), so a process starts without it.
   */
  async start(waitMs = 3000): Promise<void> {
    const { log } = this.#options;
    const fail = (what: string) => (error: Error) => log.error({ err: error }, `Redis: ${what} failed`);
    const connected = Promise.all([this.publisher.connect(), this.#subscriber.connect()]);
    connected.catch(fail('connecting'));
    const subscribed = Promise.all([
      this.#subscriber.subscribe(this.docChannel, (message: Buffer) => this.#options.onDocMessage(message), true),
      this.#subscriber.subscribe(this.controlChannel, (message: string) => this.#options.onControlMessage(message)),
    ]);
    subscribed.catch(fail('subscribing'));
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitMs)));
    const outcome = await Promise.race([subscribed.then(() => 'ready' as const, () => 'failed' as const), waited]);
    clearTimeout(timer);
    if (outcome !== 'ready') log.warn({ url: this.#options.url.replace(/\/\/[^@]*@/, '//') }, 'Redis is not reachable at start; starting without it and retrying in the background');
    this.#setState();
  }

  /** Publishes without waiting; a failure marks the bus down (the log is the fallback), and is logged once per outage. */
  publishDoc(frame: Uint8Array): void {
    this.#publish(this.docChannel, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
  }

  publishControl(text: string): void {
    this.#publish(this.controlChannel, text);
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([this.publisher.close(), this.#subscriber.close()]);
  }

  #publish(channel: string, payload: Buffer | string): void {
    if (!this.publisher.isReady) return this.#setState();
    this.#published++;
    this.publisher.publish(channel, payload).catch((error: Error) => {
      this.#lastError = error.message;
      this.#setState();
    });
  }

  #setState(): void {
    const next: BusState = this.publisher.isReady && this.#subscriber.isReady ? 'up' : 'down';
    if (next === this.#state || this.#closing) return;
    const { log } = this.#options;
    const wasDownMs = Date.now() - this.#since;
    this.#state = next;
    this.#since = Date.now();
    if (next === 'down') {
      log.warn({ reason: this.#lastError }, 'Redis is down: live documents fall back to reading the PostgreSQL log until it returns');
      this.#options.onDown();
    } else {
      log.info({ downMs: wasDownMs }, 'Redis is up: live documents are delivered through it again, after catching up from the log');
      this.#options.onRecovered();
    }
  }
}
