import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDoc } from '../../server/collab/segments.ts';
import { sqlDocumentStore } from '../../server/collab/storage.ts';
import { connectProvider, newDocument, waitFor, type TestProvider } from '../helpers/collab.ts';
import { clusterSkipReason, startNode, uniquePrefix, type TestNode } from '../helpers/cluster.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { withAdmin } from '../helpers/server.ts';

describe.skipIf(clusterSkipReason)(`compaction beside other processes ${clusterSkipReason ?? ''}`, () => {
  let db: TestDatabase;
  let nodes: TestNode[] = [];
  let cookie: string;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    const prefix = uniquePrefix();
    // Compaction only when the test says so.
    const collab = { compactAfterUpdates: 1_000_000 };
    nodes = await Promise.all(['a', 'b'].map((name) => startNode(db, { prefix, name, server: { collab } })));
    cookie = (await withAdmin(nodes[0].server)).admin.client.cookie!;
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await Promise.all(nodes.map((n) => n.close()));
    await db?.close();
  });

  it('two processes compacting one document while both take edits lose nothing', async () => {
    const docId = await newDocument(db.sql);
    const clients = nodes.map((node) => connectProvider(node.server.url, docId, cookie));
    providers.push(...clients);
    await Promise.all(clients.map((c) => c.synced()));
    const rooms = nodes.map((n) => n.server.collab.loadedRoom(docId)!);
    let compactions = 0;
    for (let round = 0; round < 15; round++) {
      for (const [n, client] of clients.entries()) client.doc.getArray('words').push([`${'ab'[n]}${round}`]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      // Both at once: each process's room only knows part of the log when it starts.
      await Promise.all(rooms.map((room) => room.compact().then(() => compactions++)));
    }
    await waitFor(() => clients.every((c) => c.doc.getArray('words').length === 30), 'both clients to have all 30 words');
    await Promise.all(rooms.map((room) => room.flush()));
    await Promise.all(rooms.map((room) => room.compact()));
    expect(compactions).toBe(30);

    const stored = await sqlDocumentStore(db.sql).load(docId);
    const doc = await buildDoc(stored.updates, stored.segmentCount, () => {});
    expect(new Set(doc.getArray<string>('words').toArray())).toEqual(new Set(clients[0].doc.getArray<string>('words').toArray()));
    expect(doc.getArray('words').length).toBe(30);
    expect(stored.segmentCount).toBeGreaterThan(0);
  });
});
