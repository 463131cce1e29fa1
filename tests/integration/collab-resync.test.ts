/**
 * Clients that ask for the whole state over and over (sync step 1) on a
 * ~2 MB document: twenty stock clients resyncing every 10 ms, and an
 * observer sending 150 requests a second without reading the answers. The
 * server owes each connection at most one reply, computes it only when the
 * connection's buffer has room, and everyone else keeps receiving edits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectProvider, newDocument, openRawSocket, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';
import { documentOf, sameDocument, syncFrame } from '../helpers/yjs.ts';

const FLOOD_SECONDS = Number(process.env.RESYNC_FLOOD_SECONDS ?? 10);

describe.each(backends)('a resync flood (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cookie: string;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    // Two dozen tabs of one person here; the per-person caps have their own test.
    server = await startTestServer(db, { env: { COLLAB_MAX_CONNECTIONS_PER_USER: '100' } });
    cookie = (await withAdmin(server)).admin.client.cookie!;
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  const open = (docId: string, options: { resyncInterval?: number } = {}) => {
    const provider = connectProvider(server.url, docId, cookie, options);
    providers.push(provider);
    return provider;
  };

  it('owes each connection one reply at most, and other clients keep receiving every edit', { timeout: 120_000 + FLOOD_SECONDS * 1000 }, async () => {
    const docId = await newDocument(db.sql);
    const writer = open(docId);
    await writer.synced();
    for (let i = 0; i < 4; i++) writer.doc.getText('body').insert(0, String(i).repeat(512 * 1024));
    const readers = [open(docId), open(docId), open(docId)];
    await Promise.all(readers.map((r) => r.synced(60_000)));
    await waitFor(() => readers.every((r) => r.doc.getText('body').length === 2 * 1024 * 1024), 'the 2 MB document to reach the readers', 30_000);

    const resyncing = Array.from({ length: 20 }, () => open(docId, { resyncInterval: 10 }));
    // Twenty 2 MB first syncs at once, streamed as each buffer drains.
    await Promise.all(resyncing.map((r) => r.synced(60_000)));
    const hoarder = await openRawSocket(server.url, docId, cookie);
    hoarder.ws.pause();
    const room = server.collab.loadedRoom(docId)!;
    const connections = room.connections.size;
    const rss = [process.memoryUsage().rss];
    const delays: number[] = [];
    for (const reader of readers) {
      reader.doc.getArray<number>('sent').observe((event) => {
        for (const item of event.changes.added) for (const at of item.content.getContent() as number[]) delays.push(performance.now() - at);
      });
    }

    let maxOwed = 0;
    const ask = syncFrame(0, new Uint8Array([0]));
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < FLOOD_SECONDS * 1000) {
      for (let i = 0; i < 15; i++) hoarder.ws.send(ask);
      if (sent % 2 === 0) writer.doc.getArray<number>('sent').push([performance.now()]);
      sent++;
      maxOwed = Math.max(maxOwed, room.owedReplies);
      if (sent % 10 === 0) rss.push(process.memoryUsage().rss);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const edits = writer.doc.getArray('sent').length;
    await waitFor(() => readers.every((r) => r.doc.getArray('sent').length === edits), 'every edit at every reader', 30_000);
    for (const p of resyncing) p.provider.disconnect();
    hoarder.ws.terminate();
    await room.flush();
    const served = await documentOf(room);
    expect(readers.every((r) => sameDocument(r.doc, served))).toBe(true);
    expect(maxOwed).toBeLessThanOrEqual(connections);
    for (const connection of room.connections) expect(connection.bufferedAmount).toBeLessThanOrEqual(4 * server.config.collabMaxBufferedBytes);

    delays.sort((a, b) => a - b);
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
    console.log(
      `[${backend}] resync flood: ${delays.length} deliveries, p50 ${delays[Math.floor(delays.length / 2)].toFixed(1)} ms, p99 ${delays[Math.floor(delays.length * 0.99)].toFixed(1)} ms; ` +
        `test process RSS start ${mb(rss[0])} MB, peak ${mb(Math.max(...rss))} MB, end ${mb(rss[rss.length - 1])} MB; most replies owed at once: ${maxOwed}`,
    );
  });
});
