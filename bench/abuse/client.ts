/**
 * What the abuse benchmark talks to the server with: a cookie-keeping JSON
 * client (like one browser on our origin) and the stock y-websocket provider
 * on `ws` with that browser's cookie.
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export class Browser {
  readonly base: string;
  cookie = '';

  constructor(base: string) {
    this.base = base;
  }

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(this.base + path, {
      method,
      headers: { origin: this.base, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = response.headers.getSetCookie().find((c) => c.startsWith('warroom_session='));
    if (set) this.cookie = set.split(';')[0];
    const text = await response.text();
    return { status: response.status, body: text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : (text as T) };
  }

  async ok<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
}

export const wsBase = (base: string) => base.replace(/^http/, 'ws') + '/collab';

/** The stock provider as a browser would run it; resolves once synced (or rejects after `timeoutMs`). */
export async function openProvider(base: string, cookie: string, docId: string, timeoutMs = 120_000): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
  class BrowserSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { origin: base, cookie } });
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsBase(base), docId, doc, {
    WebSocketPolyfill: BrowserSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 500,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no sync on ${docId} within ${timeoutMs} ms`)), timeoutMs);
    provider.once('sync', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { doc, provider };
}

/** Nearest-rank percentile of `values` (ms), or null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
