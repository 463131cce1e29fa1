import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectProvider, newDocument, waitFor, type TestProvider } from '../helpers/collab.ts';
import { clusterSkipReason, startNode, uniquePrefix, type TestNode } from '../helpers/cluster.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { withAdmin } from '../helpers/server.ts';

describe.skipIf(clusterSkipReason)(`one war room served by three processes ${clusterSkipReason ?? ''}`, () => {
  let db: TestDatabase;
  let nodes: TestNode[] = [];
  let cookie: string;
  const providers: TestProvider[] = [];
  const connect = (node: TestNode, docId: string) => {
    const provider = connectProvider(node.server.url, docId, cookie);
    providers.push(provider);
    return provider;
  };
  const text = (p: TestProvider) => p.doc.getText('notes').toString();

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    const prefix = uniquePrefix();
    nodes = await Promise.all(['a', 'b', 'c'].map((name) => startNode(db, { prefix, name, node: { safetyPollMs: 60_000 } })));
    const { admin } = await withAdmin(nodes[0].server);
    cookie = admin.client.cookie!;
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await Promise.all(nodes.map((n) => n.close()));
    await db?.close();
  });

  it('clients on three different processes converge on every edit, and the log holds them all', async () => {
    const docId = await newDocument(db.sql);
    const clients = nodes.map((node) => connect(node, docId));
    await Promise.all(clients.map((c) => c.synced()));
    for (let i = 0; i < 30; i++) {
      for (const [n, client] of clients.entries()) client.doc.getText('notes').insert(0, `${'abc'[n]}${i} `);
    }
    await waitFor(() => clients.every((c) => text(c) === text(clients[0])) && text(clients[0]).length > 0, 'all three to converge');
    for (const n of 'abc') expect(text(clients[0])).toContain(`${n}29 `);
    expect(text(clients[0]).split(' ').filter(Boolean)).toHaveLength(90);

    // A fourth client, on any process, gets the same document.
    const late = connect(nodes[1], docId);
    await late.synced();
    await waitFor(() => text(late) === text(clients[0]), 'a late client to match');
  });

  it('a server-side change made on one process reaches clients on the others', async () => {
    const docId = await newDocument(db.sql);
    const [onB, onC] = [connect(nodes[1], docId), connect(nodes[2], docId)];
    await Promise.all([onB.synced(), onC.synced()]);
    await nodes[0].server.collab.changeDocument(docId, null, (doc) => doc.getMap('m').set('from', 'a'));
    await waitFor(() => onB.doc.getMap('m').get('from') === 'a' && onC.doc.getMap('m').get('from') === 'a', 'b and c to see it');
  });

  it('a change Redis never delivered is read from the log when the next one shows the gap', async () => {
    const docId = await newDocument(db.sql);
    const [onA, onB] = [connect(nodes[0], docId), connect(nodes[1], docId)];
    await Promise.all([onA.synced(), onB.synced()]);
    // Redis drops what process A publishes (as it may, e.g. while restarting): the change is only in the log.
    const publish = nodes[0].node.bus.publishDoc;
    nodes[0].node.bus.publishDoc = () => {};
    onA.doc.getText('notes').insert(0, 'lost in transit ');
    await waitFor(() => nodes[0].node.follower(docId)!.last === 1, 'the change to be committed (and not published)');
    nodes[0].node.bus.publishDoc = publish;
    onA.doc.getText('notes').insert(0, 'next ');
    await waitFor(() => text(onB) === 'next lost in transit ', 'b to get both, the first from the log', 5000);
    expect(nodes[1].node.follower(docId)!.counts.fromLog).toBeGreaterThan(0);
  });

  it('every process numbers its commits into one sequence per document', async () => {
    const docId = await newDocument(db.sql);
    const clients = nodes.map((node) => connect(node, docId));
    await Promise.all(clients.map((c) => c.synced()));
    for (let i = 0; i < 10; i++) for (const c of clients) c.doc.getArray('list').push([i]);
    await waitFor(() => clients.every((c) => c.doc.getArray('list').length === 30), 'all to converge');
    await Promise.all(nodes.map((n) => n.server.collab.loadedRoom(docId)!.flush()));
    const rows = await db.sql<{ doc_seq: number }>`select doc_seq from document_updates where doc_id = ${docId} order by doc_seq`;
    expect(rows.map((r) => Number(r.doc_seq))).toEqual(rows.map((_, i) => i + 1));
  });

  it('presence crosses processes: a cursor on A is seen on C, a late process learns it, and leaving removes it', async () => {
    const docId = await newDocument(db.sql);
    const [onA, onC] = [connect(nodes[0], docId), connect(nodes[2], docId)];
    await Promise.all([onA.synced(), onC.synced()]);
    onA.provider.awareness.setLocalStateField('editing', 'timeline');
    const seen = await waitFor(() => onC.provider.awareness.getStates().get(onA.doc.clientID)?.editing && onC.provider.awareness.getStates().get(onA.doc.clientID), "A's presence on C");
    // The server's rewrite of it: who it is comes from A's session, not from the client.
    expect(seen).toMatchObject({ editing: 'timeline', user: { name: expect.any(String) } });

    // B loads the room only now: it asks, and A answers with what its connections show.
    const onB = connect(nodes[1], docId);
    await onB.synced();
    await waitFor(() => onB.provider.awareness.getStates().get(onA.doc.clientID)?.editing === 'timeline', "A's presence on B, which loaded later");

    onA.provider.disconnect();
    await waitFor(() => !onC.provider.awareness.getStates().has(onA.doc.clientID) && !onB.provider.awareness.getStates().has(onA.doc.clientID), 'the presence to go everywhere');
  });

  it('an admin reads which processes are up, with their rooms and connections, from any process', async () => {
    const docId = await newDocument(db.sql);
    const onC = connect(nodes[2], docId);
    await onC.synced();
    const admin = nodes[1].server.client();
    admin.cookie = cookie;
    const listed = await waitFor(async () => {
      const response = await admin.get('/api/admin/cluster');
      expect(response.status).toBe(200);
      const c = response.body.processes.find((p: { node: string }) => p.node === 'c');
      return response.body.processes.length === 3 && c?.connections > 0 && response.body;
    }, 'the process list to show c with its connection', 8000);
    expect(listed.mode).toBe('cluster');
    expect(listed.processes.map((p: { node: string }) => p.node)).toEqual(['a', 'b', 'c']);
    expect(listed.processes.every((p: { redis: string; rooms: number }) => p.redis === 'up' && p.rooms >= 0)).toBe(true);
  });
});
