import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { describeUpdate } from '../../server/collab/history.ts';
import { parseMessage } from '../../server/collab/protocol.ts';
import { Room } from '../../server/collab/room.ts';
import { fakeConnection, MemoryStore, testRoomOptions } from '../helpers/memory-store.ts';
import { findHalfApplyingUpdate, sameDocument, sameIdTwice, syncFrame } from '../helpers/yjs.ts';

async function openRoom(store = new MemoryStore(), options: { onFailed?: () => void } = {}) {
  const room = await Room.load(
    'doc',
    testRoomOptions(store, { compactAfterUpdates: 50, compactAfterBytes: 1024 * 1024, maxBufferedBytes: 4 * 1024 * 1024, onFailed: options.onFailed ?? (() => {}) }),
  );
  return { room, store };
}

function join(room: Room, options: Parameters<typeof fakeConnection>[1] = {}) {
  const peer = fakeConnection('doc', options);
  room.join(peer.connection);
  return peer;
}

/** An update as a client would send it: one edit on a private doc. */
function clientUpdate(edit: (doc: Y.Doc) => void, clientID?: number): Uint8Array {
  const doc = new Y.Doc();
  if (clientID !== undefined) doc.clientID = clientID;
  edit(doc);
  return Y.encodeStateAsUpdate(doc);
}

// The fuzz target: what the honest client wrote (client 1), and a valid edit on
// top of it (client 2) that the fuzzer corrupts byte by byte. Small client ids
// make flipped bytes hit existing items, the case where Yjs throws half-way.
const honestBase = clientUpdate((doc) => {
  doc.getText('t').insert(0, 'safe');
  doc.getMap('m').set('nested', new Y.Map());
}, 1);
const editOnTop = (() => {
  const doc = new Y.Doc();
  doc.clientID = 2;
  Y.applyUpdate(doc, honestBase);
  const before = Y.encodeStateVector(doc);
  (doc.getMap('m').get('nested') as Y.Map<unknown>).set('inner', new Y.Array());
  doc.getMap('m').set('k', 'v');
  doc.getText('t').insert(4, '!');
  return Y.encodeStateAsUpdate(doc, before);
})();
const halfApplying = syncFrame(2, findHalfApplyingUpdate(honestBase));

const updatesIn = (frames: Uint8Array[]) => frames.map(parseMessage).filter((m) => m.type === 'update');
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('a room', () => {
  it('sends nothing to other clients, and answers no sync request, until the change is committed', async () => {
    const store = new MemoryStore();
    const { room } = await openRoom(store);
    const writer = join(room);
    const reader = join(room);
    let release!: () => void;
    store.gate = new Promise((resolve) => (release = resolve));

    writer.connection.receive(syncFrame(2, clientUpdate((doc) => doc.getText('t').insert(0, 'durable'))));
    const late = join(room);
    const sentBefore = late.socket.sent.length;
    late.connection.receive(syncFrame(0, Y.encodeStateVector(new Y.Doc())));
    for (let i = 0; i < 5; i++) await tick();
    expect(store.appends).toBe(1);
    expect(updatesIn(reader.socket.sent)).toEqual([]);
    expect(late.socket.sent.length).toBe(sentBefore);

    release();
    await room.flush();
    expect(updatesIn(reader.socket.sent)).toHaveLength(1);
    expect(updatesIn(writer.socket.sent)).toHaveLength(0);
    // It asked before the commit: its reply holds the change, so the change is not sent to it twice.
    const afterCommit = late.socket.sent.slice(sentBefore).map(parseMessage);
    expect(afterCommit.map((m) => m.type)).toEqual(['sync-step-2']);
    const received = new Y.Doc();
    Y.applyUpdate(received, (afterCommit[0] as { update: Uint8Array }).update);
    expect(received.getText('t').toString()).toBe('durable');
    expect(store.log).toHaveLength(1);
    expect(store.log[0].userId).toBe(writer.connection.user.id);
  });

  it('commits updates that arrive together in one transaction', async () => {
    const { room, store } = await openRoom();
    const writers = [join(room), join(room), join(room)];
    for (let i = 0; i < 30; i++) writers[i % 3].connection.receive(syncFrame(2, clientUpdate((doc) => doc.getArray('a').push([i]))));
    await room.flush();
    expect(store.log).toHaveLength(30);
    expect(store.appends).toBe(1);
  });

  it('sends a committed batch to each reader as one frame, and each writer only the others\' changes', async () => {
    const { room, store } = await openRoom();
    const writers = [join(room), join(room)];
    const reader = join(room);
    for (let i = 0; i < 10; i++) writers[i % 2].connection.receive(syncFrame(2, clientUpdate((doc) => doc.getArray('a').push([i]), 100 + i)));
    await room.flush();
    expect(store.appends).toBe(1);
    const toReader = updatesIn(reader.socket.sent);
    expect(toReader).toHaveLength(1);
    const seen = new Y.Doc();
    Y.applyUpdate(seen, (toReader[0] as { update: Uint8Array }).update);
    expect(seen.getArray('a').toArray().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [w, writer] of writers.entries()) {
      const toWriter = updatesIn(writer.socket.sent);
      expect(toWriter).toHaveLength(1);
      const got = new Y.Doc();
      Y.applyUpdate(got, (toWriter[0] as { update: Uint8Array }).update);
      expect(got.getArray('a').toArray().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((i) => i % 2 !== w));
    }
  });

  it('sends everything committed in one turn as one frame per reader, changes other processes committed included', async () => {
    const { room, store } = await openRoom();
    const writer = join(room);
    const reader = join(room);
    let release!: () => void;
    store.gate = new Promise((resolve) => (release = resolve));
    for (let i = 0; i < 3; i++) writer.connection.receive(syncFrame(2, clientUpdate((doc) => doc.getArray('a').push([i]), 100 + i)));
    for (let i = 0; i < 5 && store.appends === 0; i++) await tick();
    expect(store.appends).toBe(1);
    // The commit completes in the same turn as five changes another process committed arrive.
    release();
    for (let i = 3; i < 8; i++) room.applyCommitted(clientUpdate((doc) => doc.getArray('a').push([i]), 100 + i));
    await room.flush();
    const toReader = updatesIn(reader.socket.sent);
    expect(toReader).toHaveLength(1);
    const seen = new Y.Doc();
    Y.applyUpdate(seen, (toReader[0] as { update: Uint8Array }).update);
    expect(seen.getArray('a').toArray().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const toWriter = updatesIn(writer.socket.sent);
    expect(toWriter).toHaveLength(1);
    const got = new Y.Doc();
    Y.applyUpdate(got, (toWriter[0] as { update: Uint8Array }).update);
    expect(got.getArray('a').toArray().sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('answers clients that send the same state vector with one encoding, and a deletion in between with a fresh one', async () => {
    const { room } = await openRoom();
    const writer = join(room);
    writer.connection.receive(syncFrame(2, clientUpdate((doc) => doc.getText('t').insert(0, 'hello'), 7)));
    await room.flush();
    const empty = Y.encodeStateVector(new Y.Doc());
    const replyTo = async () => {
      const peer = join(room);
      peer.connection.receive(syncFrame(0, empty));
      await room.flush();
      const replies = peer.socket.sent.map((frame) => ({ frame, message: parseMessage(frame) })).filter(({ message }) => message.type === 'sync-step-2');
      expect(replies).toHaveLength(1);
      return replies[0];
    };
    const [first, second] = [await replyTo(), await replyTo()];
    expect(second.frame).toBe(first.frame);
    // A deletion leaves the state vector as it was: the reply must still change.
    const base = new Y.Doc();
    Y.applyUpdate(base, (first.message as { update: Uint8Array }).update);
    const before = Y.encodeStateVector(base);
    base.getText('t').delete(0, 2);
    writer.connection.receive(syncFrame(2, Y.encodeStateAsUpdate(base, before)));
    await room.flush();
    const third = await replyTo();
    expect(third.frame).not.toBe(first.frame);
    const seen = new Y.Doc();
    Y.applyUpdate(seen, (third.message as { update: Uint8Array }).update);
    expect(seen.getText('t').toString()).toBe('llo');
  });

  it('keeps answering a crowd of writers with one encoding: the empty step 2 each of them answers with changes nothing', async () => {
    const { room } = await openRoom();
    const author = join(room);
    author.connection.receive(syncFrame(2, clientUpdate((doc) => doc.getText('t').insert(0, 'hello'), 7)));
    await room.flush();
    const emptyVector = Y.encodeStateVector(new Y.Doc());
    const emptyUpdate = Y.encodeStateAsUpdate(new Y.Doc());
    const replies: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      // What the stock provider sends on connecting: its step 1, and a step 2 answering the server's step 1.
      const peer = join(room);
      peer.connection.receive(syncFrame(0, emptyVector));
      peer.connection.receive(syncFrame(1, emptyUpdate));
      await room.flush();
      replies.push(...peer.socket.sent.filter((frame) => parseMessage(frame).type === 'sync-step-2'));
    }
    expect(replies).toHaveLength(3);
    expect(replies[1]).toBe(replies[0]);
    expect(replies[2]).toBe(replies[0]);
    expect(room.applied).toBe(1);
  });

  it('records the same attribution for each change as decoding its stored update would', async () => {
    const { room, store } = await openRoom();
    const writer = join(room);
    writer.connection.receive(syncFrame(2, clientUpdate((doc) => doc.getText('t').insert(0, 'hello'), 7)));
    await room.flush();
    const base = new Y.Doc();
    Y.applyUpdate(base, store.log[0].update);
    const before = Y.encodeStateVector(base);
    base.clientID = 8;
    base.getText('t').delete(1, 2);
    base.getText('t').insert(0, 'x');
    writer.connection.receive(syncFrame(2, Y.encodeStateAsUpdate(base, before)));
    await room.change(null, (doc) => doc.getMap('m').set('k', 1));
    expect(store.log).toHaveLength(3);
    for (const row of store.log) expect(row.ids).toEqual(describeUpdate(row.update));
    expect(Object.keys(store.log[1].ids.d)).toEqual(['7']);
  });

  it('closes every connection with 1011 when the store fails, and broadcasts nothing', async () => {
    const store = new MemoryStore();
    let failed = false;
    const { room } = await openRoom(store, { onFailed: () => (failed = true) });
    const writer = join(room);
    const reader = join(room);
    store.failNext = true;
    writer.connection.receive(syncFrame(2, clientUpdate((doc) => doc.getMap('m').set('k', 1))));
    await room.flush();
    expect(failed).toBe(true);
    expect(writer.socket.closedWith).toBe(CloseCode.INTERNAL_ERROR);
    expect(reader.socket.closedWith).toBe(CloseCode.INTERNAL_ERROR);
    expect(updatesIn(reader.socket.sent)).toEqual([]);
    await expect(room.change(null, (doc) => doc.getMap('m').set('x', 1))).rejects.toThrow(/unavailable/);
  });

  it('compacts past the threshold into a snapshot that reloads to the same document', async () => {
    const { room, store } = await openRoom();
    const writer = join(room);
    for (let i = 0; i < 120; i++) {
      writer.connection.receive(syncFrame(2, clientUpdate((doc) => doc.getMap('m').set(`k${i}`, i))));
      if (i % 10 === 0) await room.flush();
    }
    await room.flush();
    await room.compact();
    expect(store.segments.length).toBeGreaterThan(0);
    expect(store.log.length).toBeLessThan(120);
    expect(sameDocument(await store.document(), room.doc)).toBe(true);
  });

  it('stores a forged copy of an id and the copy the document took so that a reload, compacted or not, gives the latter', async () => {
    const { room, store } = await openRoom();
    const { base, forged, honest } = sameIdTwice();
    const writer = join(room);
    writer.connection.receive(syncFrame(2, base));
    await room.flush();
    writer.connection.receive(syncFrame(2, forged));
    writer.connection.receive(syncFrame(2, honest));
    await room.flush();
    expect(room.doc.getText('t').toString()).toBe('safe?');
    expect(sameDocument(await store.document(), room.doc)).toBe(true);
    await room.compact();
    expect((await store.document()).getText('t').toString()).toBe('safe?');
    room.destroy();
  });

  it('survives random frames: the sender may be closed, the others stay, and memory matches the store', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            fc.uint8Array({ maxLength: 64 }).map((bytes) => syncFrame(2, bytes)),
            fc.uint8Array({ maxLength: 64 }).map((bytes) => syncFrame(0, bytes)),
            fc.uint8Array({ maxLength: 64 }).map((bytes) => Uint8Array.from([1, bytes.length, ...bytes])),
            fc.nat(1000).map((n) => syncFrame(2, clientUpdate((doc) => doc.getArray('a').push([n])))),
            fc
              .array(fc.tuple(fc.nat(editOnTop.length - 1), fc.nat(255)), { minLength: 1, maxLength: 3 })
              .map((flips) => {
                const corrupted = Uint8Array.from(editOnTop);
                for (const [at, value] of flips) corrupted[at] = value;
                return syncFrame(2, corrupted);
              }),
            fc.constant(halfApplying),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        async (frames) => {
          const { room, store } = await openRoom();
          const honest = join(room);
          honest.connection.receive(syncFrame(2, honestBase));
          const fuzzer = join(room);
          for (const frame of frames) fuzzer.connection.receive(frame);
          await room.flush();
          for (let i = 0; i < 5 && room.uncommitted > 0; i++) await tick();
          await room.flush();
          expect(honest.socket.closedWith).toBeNull();
          if (fuzzer.socket.closedWith !== null) expect([CloseCode.MALFORMED, CloseCode.MESSAGE_TOO_BIG]).toContain(fuzzer.socket.closedWith);
          expect(sameDocument(await store.document(), room.doc)).toBe(true);
          room.destroy();
        },
      ),
      { numRuns: 200 },
    );
  });
});
