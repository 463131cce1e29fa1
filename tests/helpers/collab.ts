/**
 * Live-document clients for tests: the stock y-websocket provider running in
 * Node on `ws`, raw sockets for speaking (or breaking) the protocol by hand,
 * and bounded waits.
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createDocument } from '../../server/collab/documents.ts';
import type { Sql } from '../../server/db/sql.ts';

/** Polls until `check` is truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let docCounter = 0;
export async function newDocument(sql: Sql, kind = 'test'): Promise<string> {
  const id = `doc-${process.pid}-${++docCounter}-${Math.random().toString(36).slice(2, 8)}`;
  await createDocument(sql, id, kind);
  return id;
}

export const wsUrl = (baseUrl: string) => baseUrl.replace(/^http/, 'ws') + '/collab';

export interface TestProvider {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Close codes the server sent, in order; CLIENT_GAVE_UP where the client dropped the connection itself. */
  closes: number[];
  /** Resolves once the provider reports synced; `ms` for a document large enough to take a while on a loaded machine. */
  synced(ms?: number): Promise<void>;
  destroy(): void;
}

/** In `closes`: the stock client dropped the connection itself because nothing arrived for 30 s (it then reconnects). */
export const CLIENT_GAVE_UP = 0;

/** The stock provider, as a browser on our own origin would run it (cookie + Origin header). */
export function connectProvider(baseUrl: string, docId: string, cookie: string | null, options: { doc?: Y.Doc; connect?: boolean; resyncInterval?: number } = {}): TestProvider {
  const headers: Record<string, string> = { origin: baseUrl };
  if (cookie) headers.cookie = cookie;
  class BrowserLikeSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  const doc = options.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(wsUrl(baseUrl), docId, doc, {
    WebSocketPolyfill: BrowserLikeSocket as unknown as typeof globalThis.WebSocket,
    // Node has BroadcastChannel: without this, providers in one test process would sync around the server.
    disableBc: true,
    connect: options.connect ?? true,
    maxBackoffTime: 300,
    resyncInterval: options.resyncInterval,
  });
  const closes: number[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push(event.code);
    // Not asked to disconnect, yet closing on its own: its watchdog saw nothing arrive for 30 s.
    else if (provider.shouldConnect) closes.push(CLIENT_GAVE_UP);
  });
  return {
    doc,
    provider,
    closes,
    synced: (ms?: number) => waitFor(() => provider.synced, `provider for ${docId} to sync`, ms).then(() => undefined),
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

export interface RawSocket {
  ws: WebSocket;
  messages: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
}

/** A raw websocket to /collab/<docId>; resolves once open. */
export function openRawSocket(baseUrl: string, docId: string, cookie: string | null, options: { autoPong?: boolean } = {}): Promise<RawSocket> {
  const ws = new WebSocket(`${wsUrl(baseUrl)}/${docId}`, { headers: { origin: baseUrl, ...(cookie ? { cookie } : {}) }, autoPong: options.autoPong ?? true });
  const messages: Uint8Array[] = [];
  ws.on('message', (data) => messages.push(new Uint8Array(data as Buffer)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages, closed }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The HTTP status the server answered the upgrade with (101 when it upgraded). */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

/** Polls until `check` stops throwing; bounded so a broken build fails instead of hanging. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** The stock y-websocket client in Node, carrying this browser's cookie and our Origin; resolves once synced. */
export async function connectDoc(server: { url: string }, client: { cookie: string | null }, docId: string): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
  const headers = { cookie: client.cookie ?? '', origin: server.url };
  class CookieWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers });
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(server.url.replace('http', 'ws') + '/collab', docId, doc, {
    WebSocketPolyfill: CookieWebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no sync for ${docId}`)), 10_000);
    provider.once('sync', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { doc, provider };
}

/**
 * Resolves once the server has closed `provider`'s connection and the provider
 * has synced again on a new one: the marker that a change of access (which
 * closes connections so they reconnect with the new rights) has taken effect.
 */
export function resyncedAfterClose(provider: WebsocketProvider, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let closed = false;
    const onClose = () => (closed = true);
    const onSync = (synced: boolean) => {
      if (!closed || !synced) return;
      clearTimeout(timer);
      provider.off('connection-close', onClose);
      provider.off('sync', onSync);
      resolve();
    };
    const timer = setTimeout(() => reject(new Error(`no close and resync of ${provider.roomname}`)), timeoutMs);
    provider.on('connection-close', onClose);
    provider.on('sync', onSync);
  });
}

let markers = 0;
async function presenceMarker(sender: { provider: WebsocketProvider }, watcher: { provider: WebsocketProvider }): Promise<void> {
  const marker = `marker-${process.pid}-${++markers}`;
  sender.provider.awareness.setLocalStateField('editing', marker);
  await waitFor(() => [...watcher.provider.awareness.getStates().values()].some((state) => state.editing === marker), `the presence marker ${marker}`);
}

/**
 * Resolves once the server has handled everything `sender` sent so far, and
 * once `watcher` has received whatever that led to. Use it before asserting
 * that something did *not* happen, instead of a sleep that passes falsely on
 * a slow machine. The server handles one connection's messages in order, so
 * when `watcher` sees a presence marker that `sender` set after them, they
 * were handled; a change it accepted is broadcast once committed, so after
 * the room's commits are flushed, a second marker reaches `watcher` behind
 * any such broadcast on the same socket.
 */
export async function handledBy(sender: { provider: WebsocketProvider }, watcher: { provider: WebsocketProvider }, room: { flush(): Promise<void> }): Promise<void> {
  await presenceMarker(sender, watcher);
  await room.flush();
  await presenceMarker(sender, watcher);
}
