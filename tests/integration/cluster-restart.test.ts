import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newDocument, waitFor } from '../helpers/collab.ts';
import { clusterSkipReason, startNode, uniquePrefix, type TestNode } from '../helpers/cluster.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { withAdmin } from '../helpers/server.ts';

/**
 * The stock provider behind a load balancer with no sticky sessions: every
 * (re)connect goes to the next process that is up, round robin, like HAProxy
 * after its health check marked a stopping process down.
 */
let turn = 0;

function balancedProvider(live: () => TestNode[], docId: string, cookie: string) {
  class Balanced extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      const nodes = live();
      const target = nodes[turn++ % nodes.length].server.url;
      super(url.replace('ws://balancer', target.replace('http', 'ws')), protocols, { headers: { origin: target, cookie } });
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider('ws://balancer/collab', docId, doc, {
    WebSocketPolyfill: Balanced as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 300,
  });
  return { doc, provider };
}

describe.skipIf(clusterSkipReason)(`a rolling restart ${clusterSkipReason ?? ''}`, () => {
  let db: TestDatabase;
  let nodes: TestNode[] = [];
  let cookie: string;
  const clients: ReturnType<typeof balancedProvider>[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    const prefix = uniquePrefix();
    nodes = await Promise.all(['a', 'b', 'c'].map((name) => startNode(db, { prefix, name })));
    cookie = (await withAdmin(nodes[0].server)).admin.client.cookie!;
  });
  afterAll(async () => {
    for (const c of clients) c.provider.destroy();
    await Promise.all(nodes.map((n) => n.close()));
    await db?.close();
  });

  it('a process stopping gracefully mid-typing: its clients reconnect to the others and nothing is lost', async () => {
    const docId = await newDocument(db.sql);
    let live = [...nodes];
    for (let i = 0; i < 6; i++) clients.push(balancedProvider(() => live, docId, cookie));
    await waitFor(() => clients.every((c) => c.provider.synced), 'all clients to sync');
    const onA = () => nodes[0].server.collab.stats.connections;
    expect(onA()).toBeGreaterThan(0);

    const typing = Promise.all(
      clients.map(async (client, n) => {
        for (let i = 0; i < 40; i++) {
          client.doc.getText('notes').insert(0, `c${n}w${i} `);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    // What SIGTERM does: stop accepting, tell clients to reconnect, finish the commits.
    live = nodes.slice(1);
    const stoppedAt = Date.now();
    nodes[0].server.stopAccepting();
    await nodes[0].close();
    await typing;
    const words = (c: (typeof clients)[number]) => new Set(c.doc.getText('notes').toString().split(' ').filter(Boolean)).size;
    await waitFor(() => clients.every((c) => c.provider.synced && c.provider.wsconnected && words(c) === 240), 'every client back, with all 240 words', 15_000);
    const resyncedMs = Date.now() - stoppedAt;
    expect(clients.every((c) => words(c) === 240)).toBe(true);
    expect(nodes.slice(1).reduce((sum, n) => sum + n.server.collab.stats.connections, 0)).toBe(6);
    console.info(`rolling restart: every client re-synced on another process ${resyncedMs} ms after the stop began (includes the rest of the typing)`);
  });
});
