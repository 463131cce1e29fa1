/**
 * A large room keeps its document on the document thread (room.ts,
 * hosted-document.ts). What users rely on must not change with it: every
 * edit is kept, also those arriving while a growing room moves its document
 * there; nothing reaches anyone before it is committed; the server's own
 * changes and reads work there and say what they did; a client that
 * reconnects gets only what it lacks. The tests of large updates and large
 * documents (collab-room-large.test.ts) also run against hosted rooms.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { describeUpdate } from '../../server/collab/history.ts';
import { Room } from '../../server/collab/room.ts';
import type { WarRoomRead } from '../../server/documents/commands.ts';
import { documentCommands } from '../../server/wiring/live-documents.ts';
import { readTimeline } from '../../server/shared/war-room-doc.ts';
import { fakeConnection, MemoryStore, testRoomOptions } from '../helpers/memory-store.ts';
import { documentOf, receivedDocument, sameDocument, syncFrame, timelineEntries, updatesSent } from '../helpers/yjs.ts';

async function openRoom(store = new MemoryStore(), hostAboveBytes = 0) {
  const room = await Room.load('doc', testRoomOptions(store, { hostAboveBytes, commands: documentCommands }));
  const join = () => {
    const peer = fakeConnection('doc', { maxMessageBytes: 4 * 1024 * 1024 });
    room.join(peer.connection);
    return peer;
  };
  return { room, store, join };
}

const until = async (done: () => boolean, what: string) => {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('a room whose document is on the document thread', () => {
  it('is where a room grown past the threshold moves its document, keeping every edit, those sent during the move too', async () => {
    const { room, store, join } = await openRoom(new MemoryStore(), 32 * 1024);
    const writer = join();
    const typist = join();
    const reader = join();
    expect(room.hosted).toBe(false);

    // 3,000 entries take the stored document past 32 KiB (about half way); the typist keeps going while the room moves it.
    for (let batch = 0; batch < 6; batch++) writer.connection.receive(syncFrame(2, timelineEntries(100 + batch, batch * 500, 500)));
    const typed = new Y.Doc();
    typed.clientID = 8;
    for (let n = 0; n < 40; n++) {
      const before = Y.encodeStateVector(typed);
      typed.getText('draft').insert(typed.getText('draft').length, `${n},`);
      typist.connection.receive(syncFrame(2, Y.encodeStateAsUpdate(typed, before)));
      if (n % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await until(() => room.hosted && room.applied === 46, `the room to move its document and apply every change (hosted ${room.hosted}, applied ${room.applied}, stored ${room.storedBytes})`);
    await room.flush();

    expect(room.hosted).toBe(true);
    const stored = await store.document();
    expect(stored.getMap('timeline').size).toBe(3000);
    expect(stored.getText('draft').toString()).toBe(typed.getText('draft').toString());
    expect(sameDocument(receivedDocument(reader.socket.sent), stored)).toBe(true);
    expect(sameDocument(await documentOf(room), stored)).toBe(true);
    expect(() => room.doc).toThrow(/document thread/);
    room.destroy();
  });

  it('builds from stored updates that are views of one buffer, as PostgreSQL\'s driver returns them, and leaves them whole', async () => {
    /** Every stored update a Node Buffer over one shared read buffer, as postgres.js returns bytea. */
    class SharedBufferStore extends MemoryStore {
      returned: Buffer[] = [];
      override async load() {
        const loaded = await super.load();
        const shared = Buffer.concat(loaded.updates);
        let at = 0;
        this.returned = loaded.updates.map((update) => shared.subarray(at, (at += update.byteLength)));
        return { ...loaded, updates: this.returned };
      }
    }
    const store = new SharedBufferStore();
    for (let batch = 0; batch < 4; batch++) {
      const update = timelineEntries(200 + batch, batch * 250, 250);
      await store.append('doc', [{ update, userId: null, receivedAt: new Date(), ids: describeUpdate(update) }]);
    }
    const sizes = (await store.load()).updates.map((update) => update.byteLength);

    const { room, join } = await openRoom(store, 0);
    const reader = join();
    reader.connection.receive(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
    await until(() => receivedDocument(reader.socket.sent).getMap('timeline').size === 1000, 'the reader to receive every entry');

    expect(room.hosted).toBe(true);
    expect(store.returned.map((update) => update.byteLength)).toEqual(sizes);
    expect(sameDocument(await documentOf(room), await store.document())).toBe(true);
    room.destroy();
  });

  it('runs the server\'s commands and reads there, committed before anyone sees them, with their results', async () => {
    const { room, store, join } = await openRoom();
    const reader = join();
    expect(room.hosted).toBe(true);
    let release!: () => void;
    store.gate = new Promise((resolve) => (release = resolve));

    const entry = { id: 'alert-1', kind: 'alert', text: 'Alert CPU high', at: '2026-12-07T09:00:00.000Z', author: null, hypothesisId: null, auto: true } as const;
    const written = room.runCommand(null, { kind: 'add-timeline-entry', entry });
    await until(() => room.applied === 1, 'the command to be applied');
    expect(updatesSent(reader.socket.sent)).toHaveLength(0);
    release();

    expect(await written).toMatchObject({ id: 'alert-1', text: 'Alert CPU high' });
    expect(readTimeline(receivedDocument(reader.socket.sent)).map((e) => e.id)).toEqual(['alert-1']);
    expect(readTimeline(await store.document()).map((e) => e.id)).toEqual(['alert-1']);
    // Repeated, it writes nothing and says so; a read returns what is there.
    expect(await room.runCommand(null, { kind: 'add-timeline-entry', entry })).toBeNull();
    expect(store.log).toHaveLength(1);
    const read = (await room.runCommand(null, { kind: 'read-war-room' })) as WarRoomRead;
    expect(read.timelinePages.flatMap((page) => JSON.parse(new TextDecoder().decode(page)) as { text: string }[]).map((e) => e.text)).toEqual(['Alert CPU high']);
    await expect(room.change(null, (doc) => doc.getMap('m').set('k', 'v'))).rejects.toThrow(/document thread/);
    room.destroy();
  });

  it('sends a client that reconnects only what it lacks, and a change still being committed only once committed', async () => {
    const store = new MemoryStore();
    const first = await openRoom(store, 0);
    first.join().connection.receive(syncFrame(2, timelineEntries(7, 0, 2000)));
    await first.room.flush();
    first.room.destroy();

    const { room, join } = await openRoom(store, 0);
    const client = new Y.Doc({ gc: false });
    for (const update of (await store.load()).updates) Y.applyUpdate(client, update);
    const writer = join();
    let release!: () => void;
    store.gate = new Promise((resolve) => (release = resolve));
    writer.connection.receive(syncFrame(2, timelineEntries(9, 5000, 1)));
    await until(() => room.applied === 1, 'the new entry to be applied');

    const returning = join();
    returning.connection.receive(syncFrame(0, Y.encodeStateVector(client)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Its reply holds the change being committed: it waits for the commit.
    expect(updatesSent(returning.socket.sent)).toHaveLength(0);
    release();
    await room.flush();
    await until(() => updatesSent(returning.socket.sent).length > 0, 'the reply');

    const sent = updatesSent(returning.socket.sent);
    expect(sent.reduce((sum, update) => sum + update.byteLength, 0)).toBeLessThan(1024);
    for (const update of sent) Y.applyUpdate(client, update);
    expect(client.getMap('timeline').size).toBe(2001);
    expect(sameDocument(client, await store.document())).toBe(true);
    room.destroy();
  });

  it('sends a change another process committed to its clients, without storing it again', async () => {
    const { room, store, join } = await openRoom();
    const reader = join();
    room.applyCommitted(timelineEntries(4, 0, 10));
    await until(() => receivedDocument(reader.socket.sent).getMap('timeline').size === 10, 'the change to reach the reader');
    expect(store.log).toHaveLength(0);
    expect((await documentOf(room)).getMap('timeline').size).toBe(10);
    room.destroy();
  });
});
