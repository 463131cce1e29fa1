/**
 * One benchmark client on one websocket: it syncs like the stock y-websocket
 * provider (sends its sync step 1 on open, answers the server's step 1 with
 * a step 2) and hands every update it receives to `onUpdate`, stamped with
 * the time it arrived. It keeps no Y.Doc unless asked (`keepDoc`), so one
 * core can play hundreds of readers; one reader per measurement keeps the
 * real document to check the server delivered the right text, not just the
 * right count.
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import type { Dialect } from './wire.ts';

export interface Endpoint {
  /** ws:// URL of this document's socket. */
  url: string;
  /** The document's name (the Hocuspocus dialect repeats it in every message). */
  doc: string;
  dialect: Dialect;
  headers: Record<string, string>;
}

export interface ClientOptions {
  onUpdate?: (update: Uint8Array, at: number) => void;
  keepDoc?: boolean;
  timeoutMs?: number;
  /** Called when the socket closes, with its code and the time (performance.now()) it closed. */
  onClose?: (code: number, at: number) => void;
}

const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());
const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());

export class CollabClient {
  readonly endpoint: Endpoint;
  readonly doc: Y.Doc | null;
  /** Resolves once the server's sync step 2 has arrived. */
  readonly synced: Promise<void>;
  /** Set when the socket closed, with its code. */
  closedWith: number | null = null;
  readonly #ws: WebSocket;

  constructor(endpoint: Endpoint, options: ClientOptions = {}) {
    this.endpoint = endpoint;
    this.doc = options.keepDoc ? new Y.Doc() : null;
    const { dialect, doc } = endpoint;
    const onUpdate = options.onUpdate;
    const ws = new WebSocket(endpoint.url, { headers: endpoint.headers, perMessageDeflate: false, skipUTF8Validation: true });
    this.#ws = ws;
    this.synced = new Promise<void>((resolve, reject) => {
      let synced = false;
      const fail = (error: Error) => {
        clearTimeout(timer);
        if (!synced) reject(error);
      };
      const timer = setTimeout(() => {
        fail(new Error(`no sync step 2 from ${endpoint.url} within ${options.timeoutMs ?? 30_000} ms`));
        ws.terminate();
      }, options.timeoutMs ?? 30_000);
      ws.on('open', () => {
        const stateVector = this.doc ? Y.encodeStateVector(this.doc) : EMPTY_STATE_VECTOR;
        for (const frame of dialect.opening(doc, stateVector)) ws.send(frame);
      });
      ws.on('message', (data: Buffer) => {
        const at = performance.now();
        const message = dialect.read(data);
        switch (message.kind) {
          case 'sync-step-1':
            ws.send(dialect.step2(doc, EMPTY_UPDATE));
            return;
          case 'sync-step-2':
          case 'update':
            if (this.doc) Y.applyUpdate(this.doc, message.update);
            onUpdate?.(message.update, at);
            if (message.kind === 'sync-step-2' && !synced) {
              synced = true;
              clearTimeout(timer);
              resolve();
            }
            return;
          case 'denied':
            fail(new Error(`the server refused the document: ${message.reason}`));
            ws.close();
            return;
        }
      });
      ws.on('unexpected-response', (_request, response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk.slice(0, 300 - body.length)));
        response.on('end', () => fail(new Error(`upgrade refused: HTTP ${response.statusCode} ${body}`.trim())));
        response.on('error', () => fail(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
        setTimeout(() => ws.terminate(), 1000).unref();
      });
      ws.on('error', (error) => fail(error));
      ws.on('close', (code) => {
        this.closedWith = code;
        options.onClose?.(code, performance.now());
        fail(new Error(`socket closed (${code}) before sync`));
      });
    });
    // A failed sync is reported through `synced`; never as an unhandled rejection.
    this.synced.catch(() => undefined);
  }

  send(frame: Uint8Array): void {
    this.#ws.send(frame);
  }

  /** Bytes queued in this process for the socket, not yet handed to the kernel. */
  get buffered(): number {
    return this.#ws.bufferedAmount;
  }

  close(): void {
    this.#ws.terminate();
    this.doc?.destroy();
  }
}

/**
 * Connects, retrying failed attempts the way the stock provider does
 * (100 ms × 2^attempt, at most 2.5 s apart), bounded in attempts.
 */
export async function connectWithRetry(
  endpoint: Endpoint,
  options: ClientOptions & { attempts?: number },
): Promise<{ client: CollabClient; retries: number }> {
  const attempts = options.attempts ?? 8;
  for (let attempt = 0; ; attempt++) {
    const client = new CollabClient(endpoint, options);
    try {
      await client.synced;
      return { client, retries: attempt };
    } catch (error) {
      client.close();
      if (attempt + 1 >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** (attempt + 1), 2500)));
    }
  }
}

/** Opens `count` synced clients, at most `concurrency` handshakes at a time. */
export async function connectMany(
  count: number,
  concurrency: number,
  open: (index: number) => Promise<CollabClient>,
): Promise<CollabClient[]> {
  const clients: CollabClient[] = new Array(count);
  let nextIndex = 0;
  let failed = false;
  async function lane() {
    while (nextIndex < count && !failed) {
      const index = nextIndex++;
      try {
        clients[index] = await open(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }
  const lanes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, count) }, lane));
  const failure = lanes.find((lane) => lane.status === 'rejected');
  if (failure) {
    for (const client of clients) client?.close();
    throw failure.reason;
  }
  return clients;
}
