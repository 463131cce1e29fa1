import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { expect } from 'vitest';
import type { Cast } from './incidents.ts';
import { signUpUser, type TestClient, type TestServer } from './server.ts';

/** The incident cast plus Cami, who will hold the communicator role. */
export async function commsCast(server: TestServer, cast: Cast) {
  const invite = await cast.admin.client.post('/api/admin/invites', {});
  const token = new URL(invite.body.url).searchParams.get('invite')!;
  return signUpUser(server, { invite: token, name: 'Cami' });
}

export type Communicator = Awaited<ReturnType<typeof commsCast>>;

/** Makes `userId` the incident's communicator (as its commander). */
export async function appointCommunicator(commander: TestClient, ref: string, userId: string) {
  const response = await commander.post(`/api/incidents/${ref}/roles`, { role: 'communicator', userId });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

let keys = 0;
export const newKey = () => `key-${process.pid}-${++keys}-${Math.random().toString(36).slice(2, 10)}`;

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
export async function connectDoc(server: TestServer, client: TestClient, docId: string): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
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
