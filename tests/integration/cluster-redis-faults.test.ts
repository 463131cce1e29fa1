import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectProvider, newDocument, waitFor, type TestProvider } from '../helpers/collab.ts';
import { clusterSkipReason, startNode, uniquePrefix, type TestNode } from '../helpers/cluster.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { TestRedis } from '../helpers/redis-server.ts';
import { withAdmin } from '../helpers/server.ts';

describe.skipIf(clusterSkipReason)(`three processes while Redis goes away ${clusterSkipReason ?? ''}`, () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let nodes: TestNode[] = [];
  let cookie: string;
  const providers: TestProvider[] = [];
  const connect = (node: TestNode, docId: string) => {
    const provider = connectProvider(node.server.url, docId, cookie);
    providers.push(provider);
    return provider;
  };
  const words = (p: TestProvider) => new Set(p.doc.getText('notes').toString().split(' ').filter(Boolean));

  /** Each client types `count` words, one every few ms, tagged with its name; resolves when all are typed. */
  const type = (clients: TestProvider[], from: number, count: number) =>
    Promise.all(
      clients.map(async (client, n) => {
        for (let i = from; i < from + count; i++) {
          client.doc.getText('notes').insert(0, `${'abc'[n]}${i} `);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }),
    );
  const expectAll = (clients: TestProvider[], total: number) => {
    for (const client of clients) expect(words(client).size).toBe(total);
  };

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    redis = new TestRedis();
    await redis.start();
    const prefix = uniquePrefix();
    nodes = await Promise.all(['a', 'b', 'c'].map((name) => startNode(db, { prefix, name, redisUrl: redis.url, node: { safetyPollMs: 60_000 } })));
    const { admin } = await withAdmin(nodes[0].server);
    cookie = admin.client.cookie!;
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await Promise.all(nodes.map((n) => n.close()));
    await redis?.destroy();
    await db?.close();
  });

  it('Redis restarted in the middle of editing: everyone converges once it is back, nothing lost', async () => {
    const docId = await newDocument(db.sql);
    const clients = nodes.map((node) => connect(node, docId));
    await Promise.all(clients.map((c) => c.synced()));
    const typing = type(clients, 0, 60);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await redis.start();
    await typing;
    await waitFor(() => nodes.every((n) => n.node.bus.state === 'up'), 'every process to reconnect to Redis');
    await waitFor(() => clients.every((c) => words(c).size === 180), 'all 180 words on every client', 15_000);
    expectAll(clients, 180);
  });

  it('Redis down: editing goes on through the PostgreSQL log, and /readyz says so', async () => {
    const docId = await newDocument(db.sql);
    const clients = nodes.map((node) => connect(node, docId));
    await Promise.all(clients.map((c) => c.synced()));
    await redis.stop();
    try {
      await waitFor(() => nodes.every((n) => n.node.bus.state === 'down'), 'every process to notice');
      await type(clients, 0, 20);
      await waitFor(() => clients.every((c) => words(c).size === 60), 'all 60 words on every client while Redis is down', 15_000);
      expectAll(clients, 60);
      const ready = await (await fetch(`${nodes[1].server.url}/readyz`)).json();
      expect(ready).toMatchObject({ ok: true, cluster: { redis: 'down', documents: expect.stringContaining('PostgreSQL log') } });
    } finally {
      await redis.start();
    }
    await waitFor(() => nodes.every((n) => n.node.bus.state === 'up'), 'every process to reconnect to Redis');
    const ready = await (await fetch(`${nodes[1].server.url}/readyz`)).json();
    expect(ready).toMatchObject({ ok: true, cluster: { redis: 'up' } });
  });

  it('a process starts while Redis is down, serves its rooms through the log, and joins Redis when it returns', async () => {
    const docId = await newDocument(db.sql);
    await redis.stop();
    let late: TestNode | null = null;
    try {
      late = await startNode(db, { prefix: nodes[0].node.bus.docChannel.replace(/:docs$/, ''), name: 'd', redisUrl: redis.url, node: { safetyPollMs: 60_000 } });
      expect(late.node.bus.state).toBe('down');
      const clients = [connect(late, docId), connect(nodes[0], docId)];
      await Promise.all(clients.map((c) => c.synced()));
      await type(clients.slice(0, 2), 0, 10);
      await waitFor(() => clients.every((c) => words(c).size === 20), 'both to converge through the log', 15_000);
    } finally {
      await redis.start();
    }
    await waitFor(() => late!.node.bus.state === 'up', 'the late process to reach Redis');
    await late.close();
  });
});
