/**
 * One member streaming large changes over several sockets is paced at their
 * write budget: nothing of theirs is lost or closed, and everyone else's
 * edits go straight through meanwhile instead of queueing behind them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { connectProvider, newDocument, openRawSocket, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';
import { reloadDocument, sameDocument, syncFrame } from '../helpers/yjs.ts';

const BYTES_PER_SECOND = 128 * 1024;
/** The budget's burst: twice a second's worth. */
const BURST = 2 * BYTES_PER_SECOND;
const CHUNK = 60_000;

/** A client's changes of about CHUNK bytes each, as update frames. */
function bulkChanges(count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const frames: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => frames.push(syncFrame(2, update)));
  for (let i = 0; i < count; i++) doc.getArray<string>('bulk').push([String(i % 10).repeat(CHUNK)]);
  return frames;
}

describe.each(backends)("one person's write budget over real sockets (%s)", (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db, { env: { COLLAB_MAX_MESSAGE_BYTES: '65536', COLLAB_WRITE_BYTES_PER_SECOND: String(BYTES_PER_SECOND) } });
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  it("paces one member's stream over two sockets, keeps both open, and lets others edit meanwhile", async () => {
    const team = await withAdmin(server);
    const heavy = await team.member('Mallory');
    const docId = await newDocument(db.sql);
    const a = connectProvider(server.url, docId, team.admin.client.cookie);
    const b = connectProvider(server.url, docId, team.admin.client.cookie);
    providers.push(a, b);
    await Promise.all([a.synced(), b.synced()]);

    const sockets = await Promise.all([openRawSocket(server.url, docId, heavy.client.cookie), openRawSocket(server.url, docId, heavy.client.cookie)]);
    const streams = [bulkChanges(5), bulkChanges(5)];
    const started = performance.now();
    streams.forEach((frames, i) => frames.forEach((frame) => sockets[i].ws.send(frame)));
    const room = server.collab.loadedRoom(docId)!;
    const bulkInRoom = () => room.doc.getArray('bulk').length;

    a.doc.getArray<string>('honest').push(['typed during the stream']);
    await waitFor(() => b.doc.getArray('honest').length === 1, 'an honest edit during the stream');
    expect(bulkInRoom()).toBeLessThan(10);

    await waitFor(() => bulkInRoom() === 10, 'the whole stream', 30_000);
    const elapsed = performance.now() - started;
    // What the burst did not cover went at the budget: ten chunks, two sockets, one person.
    expect(elapsed).toBeGreaterThanOrEqual(((10 * CHUNK - BURST) / BYTES_PER_SECOND) * 1000 * 0.9);
    for (const socket of sockets) expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    await room.flush();
    expect(sameDocument(await reloadDocument(db.sql, docId), room.doc)).toBe(true);
    for (const socket of sockets) socket.ws.close();
  });
});
