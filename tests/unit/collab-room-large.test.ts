/**
 * A client's large update (a big paste, a thousand entries at once) is
 * checked and cut on a worker thread and applied a piece at a time, so one
 * member cannot hold the server for everyone else. These tests pin down what
 * must not change with it: other rooms go on meanwhile, the room holds its
 * own work until the whole update is applied, it is committed before anyone
 * sees it, stored and sent whole, and a corrupt one closes only its sender.
 * A document written that way is then sent to a newcomer as the segments
 * its compactions stored, as if it had been loaded, not as one huge diff.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { describeDecoded } from '../../server/collab/history.ts';
import { parseMessage } from '../../server/collab/protocol.ts';
import { Room } from '../../server/collab/room.ts';
import { SPLIT_ABOVE_BYTES } from '../../server/collab/update-pieces.ts';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { fakeConnection, MemoryStore, testRoomOptions } from '../helpers/memory-store.ts';
import { documentOf, findHalfApplyingUpdate, receivedDocument, sameDocument, sameIdTwice, spliceUpdates, syncFrame, timelineEntries, updatesSent } from '../helpers/yjs.ts';

/** Where the rooms of the tests below keep their document (see room.ts): 0 puts every one on the document thread. */
let hostAboveBytes: number | undefined;

async function openRoom(docId: string, store = new MemoryStore(), host = hostAboveBytes) {
  const room = await Room.load(docId, testRoomOptions(store, { hostAboveBytes: host }));
  const join = (options: Parameters<typeof fakeConnection>[1] = {}) => {
    const peer = fakeConnection(docId, { maxMessageBytes: 4 * 1024 * 1024, ...options });
    room.join(peer.connection);
    return peer;
  };
  return { room, store, join };
}

/** A thousand separate entries from one client: hundreds of structs, far over the size that is split. */
const thousandEntries = (clientID: number, from = 0) => timelineEntries(clientID, from, 1000);

function small(edit: (doc: Y.Doc) => void, clientID: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  edit(doc);
  return Y.encodeStateAsUpdate(doc);
}

/** Waits (at most 5 s) for the sync-step-2 that ends a newcomer's catch-up. */
async function finalReply(sent: Uint8Array[]): Promise<Uint8Array> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const frame = sent.find((f) => parseMessage(f).type === 'sync-step-2');
    if (frame) return frame;
    if (Date.now() > deadline) throw new Error('no sync-step-2 within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

for (const [where, above] of [
  ['on the event loop', undefined],
  ['on the document thread', 0],
] as const) {
  describe(`with the document ${where}`, () => {
    beforeAll(() => {
      hostAboveBytes = above;
    });

  describe('a large client update', () => {
    it('is over the size that is split (the fixture holds what the tests claim)', () => {
      expect(thousandEntries(1).byteLength).toBeGreaterThan(SPLIT_ABOVE_BYTES);
    });

    it('is described (the ids it claims) from the one decoding the worker makes, as reading it afresh would', () => {
      const { base, forged, honest } = sameIdTwice();
      const withGaps = Y.mergeUpdates([thousandEntries(7), forged, small((doc) => doc.getText('t').insert(0, 'x'), 7)]);
      for (const update of [thousandEntries(5), base, forged, honest, withGaps]) {
        const { from, to } = Y.parseUpdateMeta(update);
        const inserted = Object.fromEntries([...from].map(([client, clock]) => [String(client), [clock, to.get(client)]]));
        const deleted = Object.fromEntries([...Y.decodeUpdate(update).ds.clients].map(([client, items]) => [String(client), items.map((item) => [item.clock, item.len])]));
        expect(describeDecoded(Y.decodeUpdate(update))).toEqual({ i: inserted, d: deleted });
      }
    });

    // Applied in pieces on the event loop, it is still in progress when the other room's change is out; on the document
    // thread it may be done by then (collab-room-hosted.test.ts shows the event loop turning while it is applied there).
    it.skipIf(above === 0)('leaves other rooms free: a change in another room is committed and delivered while it is still being applied', async () => {
      const big = await openRoom('big');
      // A small room keeps its document on the event loop, whatever the large one does.
      const other = await openRoom('other', new MemoryStore(), undefined);
      const writer = big.join();
      const bigReader = big.join();
      const typist = other.join();
      const watcher = other.join();

      writer.connection.receive(syncFrame(2, thousandEntries(7)));
      typist.connection.receive(syncFrame(2, small((doc) => doc.getText('draft').insert(0, 'still here'), 8)));
      await other.room.flush();

      expect(receivedDocument(watcher.socket.sent).getText('draft').toString()).toBe('still here');
      // The large update is not in yet: the other room did not wait for it.
      expect(big.store.log).toHaveLength(0);
      expect(updatesSent(bigReader.socket.sent)).toHaveLength(0);

      await big.room.flush();
      expect(big.store.log).toHaveLength(1);
      expect(receivedDocument(bigReader.socket.sent).getMap('timeline').size).toBe(1000);
      big.room.destroy();
      other.room.destroy();
    });

    it('is stored and sent whole, after the commit, with the changes that arrived meanwhile after it, in order', async () => {
      const { room, store, join } = await openRoom('doc');
      const writer = join();
      const typist = join();
      const reader = join();
      let release!: () => void;
      store.gate = new Promise((resolve) => (release = resolve));

      writer.connection.receive(syncFrame(2, thousandEntries(7)));
      // Arrives while the large one is being checked and applied: held, then applied after it.
      typist.connection.receive(syncFrame(2, small((doc) => doc.getMap('timeline').set('entry-0', 'edited while it was applied'), 8)));
      // A newcomer asks for the whole state meanwhile.
      const late = join();
      late.connection.receive(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
      while (room.applied < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(updatesSent(reader.socket.sent)).toHaveLength(0);
      expect(updatesSent(late.socket.sent)).toHaveLength(0);

      release();
      await room.flush();
      expect(store.log.map((row) => row.userId)).toEqual([writer.connection.user.id, typist.connection.user.id]);
      const stored = await store.document();
      expect(stored.getMap('timeline').size).toBe(1000);
      expect(sameDocument(stored, (await documentOf(room)))).toBe(true);
      for (const peer of [reader, late]) {
        const theirs = receivedDocument(peer.socket.sent);
        expect(theirs.getMap('timeline').size).toBe(1000);
        expect(sameDocument(theirs, (await documentOf(room)))).toBe(true);
      }
      expect((await documentOf(room)).getMap('timeline').get('entry-0')).toBe(stored.getMap('timeline').get('entry-0'));
      room.destroy();
    });

    it('closes only its sender when it fails half-way; the room reloads and the others carry on', async () => {
      const { room, store, join } = await openRoom('doc');
      const honest = join();
      const reader = join();
      const fuzzer = join();
      const base = small((doc) => {
        doc.getText('t').insert(0, 'safe');
        doc.getMap('m').set('nested', new Y.Map());
      }, 1);
      honest.connection.receive(syncFrame(2, base));
      await room.flush();
      // Valid entries first, then a change that decodes but throws while it is integrated: the entries go in, then it fails.
      const corrupt = spliceUpdates(thousandEntries(50), findHalfApplyingUpdate(base));
      expect(corrupt.byteLength).toBeGreaterThan(SPLIT_ABOVE_BYTES);

      fuzzer.connection.receive(syncFrame(2, corrupt));
      honest.connection.receive(syncFrame(2, small((doc) => doc.getText('after').insert(0, 'carry on'), 9)));
      await room.flush();

      expect(fuzzer.socket.closedWith).toBe(CloseCode.MALFORMED);
      expect(honest.socket.closedWith).toBeNull();
      expect(reader.socket.closedWith).toBeNull();
      expect((await documentOf(room)).getMap('timeline').size).toBe(0);
      expect((await documentOf(room)).getText('after').toString()).toBe('carry on');
      expect(sameDocument(await store.document(), (await documentOf(room)))).toBe(true);
      expect(receivedDocument(reader.socket.sent).getText('after').toString()).toBe('carry on');
      expect(receivedDocument(reader.socket.sent).getMap('timeline').size).toBe(0);
      room.destroy();
    });

    it('closes a sender whose large update does not decode, and drops a read-only participant\'s', async () => {
      const { room, store, join } = await openRoom('doc');
      const garbage = join();
      const observer = join({ access: 'read' });
      const writer = join();
      const bytes = new Uint8Array(SPLIT_ABOVE_BYTES + 10).fill(0xff);

      garbage.connection.receive(syncFrame(2, bytes));
      observer.connection.receive(syncFrame(2, thousandEntries(11)));
      writer.connection.receive(syncFrame(2, thousandEntries(12, 5000)));
      await room.flush();

      expect(garbage.socket.closedWith).toBe(CloseCode.MALFORMED);
      expect(observer.socket.closedWith).toBeNull();
      expect(writer.socket.closedWith).toBeNull();
      expect(store.log.map((row) => row.userId)).toEqual([writer.connection.user.id]);
      expect((await documentOf(room)).getMap('timeline').size).toBe(1000);
      expect((await documentOf(room)).getMap('timeline').has('entry-5000')).toBe(true);
      room.destroy();
    });

  });

  /** Three writers' 75,000 characters each: three segments once compacted, far more than a newcomer may be sent in one diff. */
  const threeTexts = () => [21, 22, 23].map((clientID) => small((doc) => doc.getText('notes').insert(0, `${clientID}`.repeat(75_000)), clientID));

  const rowText = (i: number) => `${i}`.padEnd(1000, '.');

  /** Writes entries `row-<from>` … `row-<to - 1>` of 1 KB each from one client through `writer`, each committed as a log row of its own. */
  function rowWriter(room: Room, writer: ReturnType<typeof fakeConnection>) {
    const source = new Y.Doc();
    source.clientID = 41;
    return async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const before = Y.encodeStateVector(source);
        source.getMap('rows').set(`row-${i}`, rowText(i));
        writer.connection.receive(syncFrame(2, Y.encodeStateAsUpdate(source, before)));
        await room.flush();
      }
    };
  }

  const updateFrames = (sent: Uint8Array[]) => sent.filter((frame) => parseMessage(frame).type === 'update').length;

  describe('a large document written live', () => {
    it('is sent to a newcomer as the stored segments its compaction wrote, not as one frame of the whole document', async () => {
      const { room, store, join } = await openRoom('doc');
      const writer = join();
      // Three rows, each a segment of its own (as large as one), far more than a newcomer may be sent in one diff.
      for (const text of threeTexts()) writer.connection.receive(syncFrame(2, text));
      await room.flush();
      await room.compact();
      expect(store.segments).toHaveLength(3);
      writer.connection.receive(syncFrame(2, small((doc) => doc.getMap('m').set('after', 'the compaction'), 24)));
      await room.flush();

      const newcomer = join();
      newcomer.connection.receive(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
      await finalReply(newcomer.socket.sent);

      const frames = newcomer.socket.sent.filter((frame) => ['update', 'sync-step-2'].includes(parseMessage(frame).type));
      const whole = Y.encodeStateAsUpdate((await documentOf(room))).byteLength;
      expect(frames.length).toBeGreaterThan(1);
      expect(Math.max(...frames.map((frame) => frame.byteLength))).toBeLessThan(whole / 2);
      expect(parseMessage(frames[frames.length - 1]).type).toBe('sync-step-2');
      const theirs = receivedDocument(newcomer.socket.sent);
      expect(sameDocument(theirs, (await documentOf(room)))).toBe(true);
      expect(theirs.getMap('m').get('after')).toBe('the compaction');
      room.destroy();
    });

    it('sends a newcomer, after the segments, only what was committed since them, with every deletion in both', async () => {
      const { room, store, join } = await openRoom('doc');
      const writer = join();
      // Every other entry deleted: the deletions alone are a large part of the document.
      const source = new Y.Doc();
      source.clientID = 31;
      const entries = source.getMap('entries');
      source.transact(() => {
        for (let i = 0; i < 30_000; i++) {
          entries.set(`keep-${i}`, i);
          entries.set(`drop-${i}`, i);
        }
      });
      let sent = Y.encodeStateVector(source);
      writer.connection.receive(syncFrame(2, Y.encodeStateAsUpdate(source)));
      source.transact(() => {
        for (let i = 0; i < 30_000; i++) entries.delete(`drop-${i}`);
      });
      writer.connection.receive(syncFrame(2, Y.encodeStateAsUpdate(source, sent)));
      sent = Y.encodeStateVector(source);
      await room.flush();
      await room.compact();
      expect(store.segments.length).toBeGreaterThan(0);
      // After the compaction: more deletions, and an entry, in the log only.
      source.transact(() => {
        for (let i = 0; i < 10; i++) entries.delete(`keep-${i}`);
        source.getMap('m').set('after', 'the compaction');
      });
      writer.connection.receive(syncFrame(2, Y.encodeStateAsUpdate(source, sent)));
      await room.flush();

      const newcomer = join();
      newcomer.connection.receive(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
      const final = await finalReply(newcomer.socket.sent);
      const documentDeletions = Y.encodeStateAsUpdate((await documentOf(room)), Y.encodeStateVector((await documentOf(room)))).byteLength;
      expect(documentDeletions).toBeGreaterThan(50_000);
      expect(final.byteLength).toBeLessThan(documentDeletions / 10);
      const theirs = receivedDocument(newcomer.socket.sent);
      expect(sameDocument(theirs, (await documentOf(room)))).toBe(true);
      expect(theirs.getMap('entries').size).toBe(29_990);
      expect(theirs.getMap('entries').has('keep-0')).toBe(false);
      expect(theirs.getMap('m').get('after')).toBe('the compaction');
      room.destroy();
    });

    it('sends a newcomer a long log since the segments a slice per turn, and loses nothing to a compaction meanwhile', async () => {
      const { room, store, join } = await openRoom('doc');
      const writer = join();
      for (const text of threeTexts()) writer.connection.receive(syncFrame(2, text));
      await room.flush();
      await room.compact();
      const segmentsBefore = store.segments.length;
      // 300 log rows of 1 KB each: several turns' worth.
      const writeRows = rowWriter(room, writer);
      await writeRows(0, 300);

      const newcomer = join();
      newcomer.connection.receive(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
      const updates = () => updateFrames(newcomer.socket.sent);
      for (let turn = 0; turn < 1000 && updates() <= segmentsBefore; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
      // Part of the log sent: the newcomer stops reading while a compaction moves the whole log into segments
      // and a few more rows are committed after it.
      const sentBefore = updates();
      expect(sentBefore).toBeGreaterThan(segmentsBefore);
      Object.assign(newcomer.socket, { bufferedAmount: 9 * 1024 * 1024 });
      await room.compact();
      expect(store.segments.length).toBeGreaterThan(segmentsBefore);
      await writeRows(300, 305);
      Object.assign(newcomer.socket, { bufferedAmount: 0 });
      const final = await finalReply(newcomer.socket.sent);
      expect(final.byteLength).toBeLessThan(64 * 1024);
      const theirs = receivedDocument(newcomer.socket.sent);
      expect(theirs.getMap('rows').size).toBe(305);
      expect(sameDocument(theirs, (await documentOf(room)))).toBe(true);
      room.destroy();
    });

    it('starts a newcomer\'s catch-up over when the room reloads a document stored differently meanwhile, and loses nothing', async () => {
      const { room, store, join } = await openRoom('doc');
      const writer = join();
      const base = small((doc) => {
        doc.getText('t').insert(0, 'safe');
        doc.getMap('m').set('nested', new Y.Map());
      }, 1);
      writer.connection.receive(syncFrame(2, base));
      for (const text of threeTexts()) writer.connection.receive(syncFrame(2, text));
      await room.flush();
      await room.compact();
      const segmentsBefore = store.segments.length;
      await rowWriter(room, writer)(0, 300);

      const newcomer = join();
      newcomer.connection.receive(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
      const updates = () => updateFrames(newcomer.socket.sent);
      for (let turn = 0; turn < 1000 && updates() <= segmentsBefore; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
      expect(updates()).toBeGreaterThan(segmentsBefore);
      Object.assign(newcomer.socket, { bufferedAmount: 9 * 1024 * 1024 });
      // Another process merged half of the log into a segment of its own; then a change fails half-way and the room reloads.
      const half = store.log.slice(0, 150);
      await store.compact('doc', [Y.mergeUpdates(half.map((row) => row.update))], half[half.length - 1].seq);
      const fuzzer = join();
      fuzzer.connection.receive(syncFrame(2, findHalfApplyingUpdate(base)));
      await room.flush();
      expect(fuzzer.socket.closedWith).toBe(CloseCode.MALFORMED);
      Object.assign(newcomer.socket, { bufferedAmount: 0 });

      await finalReply(newcomer.socket.sent);
      const theirs = receivedDocument(newcomer.socket.sent);
      expect(theirs.getMap('rows').size).toBe(300);
      expect(sameDocument(theirs, (await documentOf(room)))).toBe(true);
      room.destroy();
    });

    it('sends a newcomer that already holds part of a large document only what it lacks, segments and log alike', async () => {
      const { room, join } = await openRoom('doc');
      const writer = join();
      const parts = threeTexts();
      for (const part of parts) writer.connection.receive(syncFrame(2, part));
      await room.flush();
      await room.compact();
      await rowWriter(room, writer)(0, 200);

      // It holds the first writer's text and the first 50 rows.
      const own = new Y.Doc({ gc: false });
      Y.applyUpdate(own, parts[0]);
      const firstRows = new Y.Doc();
      firstRows.clientID = 41;
      for (let i = 0; i < 50; i++) firstRows.getMap('rows').set(`row-${i}`, rowText(i));
      Y.applyUpdate(own, Y.encodeStateAsUpdate(firstRows));
      const newcomer = join();
      newcomer.connection.receive(syncFrame(0, Y.encodeStateVector(own)));
      await finalReply(newcomer.socket.sent);

      const sent = updatesSent(newcomer.socket.sent);
      expect(sent.length).toBeGreaterThan(2);
      // Nothing it held was sent again: far less than the whole document.
      const bytes = sent.reduce((sum, update) => sum + update.byteLength, 0);
      expect(bytes).toBeLessThan(Y.encodeStateAsUpdate((await documentOf(room))).byteLength - 100_000);
      for (const update of sent) Y.applyUpdate(own, update);
      expect(own.getMap('rows').size).toBe(200);
      expect(sameDocument(own, (await documentOf(room)))).toBe(true);
      room.destroy();
    });

    it('does not hold a newcomer\'s final reply for a change still being committed; that change follows once committed', async () => {
      const { room, store, join } = await openRoom('doc');
      const writer = join();
      for (const text of threeTexts()) writer.connection.receive(syncFrame(2, text));
      await room.flush();
      await room.compact();
      let release!: () => void;
      store.gate = new Promise((resolve) => (release = resolve));
      writer.connection.receive(syncFrame(2, small((doc) => doc.getMap('m').set('held', 'by the database'), 24)));
      while (room.applied < 4) await new Promise((resolve) => setTimeout(resolve, 5));

      const newcomer = join();
      newcomer.connection.receive(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
      await finalReply(newcomer.socket.sent);
      expect(room.uncommitted).toBe(1);
      expect(receivedDocument(newcomer.socket.sent).getMap('m').get('held')).toBeUndefined();

      store.gate = null;
      release();
      await room.flush();
      const theirs = receivedDocument(newcomer.socket.sent);
      expect(theirs.getMap('m').get('held')).toBe('by the database');
      expect(sameDocument(theirs, (await documentOf(room)))).toBe(true);
      room.destroy();
    });

    it('still sends a newcomer every change when the compaction ran while a change was not yet committed', async () => {
      const { room, store, join } = await openRoom('doc');
      const writer = join();
      for (const text of threeTexts()) writer.connection.receive(syncFrame(2, text));
      await room.flush();
      let release!: () => void;
      store.gate = new Promise((resolve) => (release = resolve));
      writer.connection.receive(syncFrame(2, small((doc) => doc.getMap('m').set('during', 'the compaction'), 24)));
      while (room.applied < 4) await new Promise((resolve) => setTimeout(resolve, 5));
      const compacted = room.compact();
      release();
      await compacted;
      await room.flush();
      expect(store.segments.length).toBeGreaterThan(0);

      const newcomer = join();
      newcomer.connection.receive(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
      await finalReply(newcomer.socket.sent);
      const theirs = receivedDocument(newcomer.socket.sent);
      expect(theirs.getMap('m').get('during')).toBe('the compaction');
      expect(sameDocument(theirs, (await documentOf(room)))).toBe(true);
      room.destroy();
    });
  });
  });
}
