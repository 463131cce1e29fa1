import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { BEHIND_EVERY_MS } from '../../server/collab/fan-out.ts';
import { parseMessage } from '../../server/collab/protocol.ts';
import { BEHIND_AFTER_MS, BEHIND_FOR_MS, PresenceSendLog } from '../../server/collab/reader-lag.ts';
import { Room } from '../../server/collab/room.ts';
import { fakeConnection, MemoryStore, silentLog } from '../helpers/memory-store.ts';
import { syncFrame } from '../helpers/yjs.ts';

async function openRoom(presenceFlushMs = 0) {
  return Room.load('doc', {
    store: new MemoryStore(),
    log: silentLog,
    compactAfterUpdates: 1_000,
    compactAfterBytes: 64 * 1024 * 1024,
    readOnlyStrikes: 3,
    commitDelayMs: 0,
    presenceFlushMs,
    maxBufferedBytes: 4 * 1024 * 1024,
    maxDocumentBytes: 64 * 1024 * 1024,
    onEmpty: () => {},
    onFailed: () => {},
  });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The payloads of the update frames a fake socket was sent. */
const updatesIn = (frames: Uint8Array[]) => frames.map(parseMessage).flatMap((m) => (m.type === 'update' ? [m.update] : []));

/** What a client holding only these updates would show. */
function textOf(updates: Uint8Array[]): string {
  const doc = new Y.Doc();
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

/** A writer types `count` characters, each committed and sent in a turn of its own. */
async function type(writer: ReturnType<typeof fakeConnection>, doc: Y.Doc, text: string) {
  for (const ch of text) {
    const before = Y.encodeStateVector(doc);
    doc.getText('t').insert(doc.getText('t').length, ch);
    writer.connection.receive(syncFrame(2, Y.encodeStateAsUpdate(doc, before)));
    for (let i = 0; i < 4; i++) await tick();
  }
}

describe('when presence frames were sent', () => {
  it('answers the time of the first frame carrying a clock, nothing for clocks of an earlier room', () => {
    const log = new PresenceSendLog(1_000);
    log.record(1_003, 10);
    log.record(1_005, 20);
    expect(log.sentAt(1_001)).toBe(10);
    expect(log.sentAt(1_003)).toBe(10);
    expect(log.sentAt(1_004)).toBe(20);
    expect(log.sentAt(1_006)).toBeNull();
    expect(log.sentAt(999)).toBeNull();
  });

  it('remembers the last frames only; an older clock is at least as old as the oldest remembered', () => {
    const log = new PresenceSendLog(0);
    for (let i = 1; i <= 200; i++) log.record(i, i * 10);
    expect(log.sentAt(200)).toBe(2_000);
    expect(log.sentAt(3)).toBe(log.sentAt(137));
    expect(log.sentAt(137)).toBe(1_370);
  });
});

describe('a client that echoes presence late', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('is timed by the echo of the newest presence frame it had applied', async () => {
    const room = await openRoom(50);
    const mover = fakeConnection('doc');
    const slow = fakeConnection('doc');
    room.join(mover.connection);
    room.join(slow.connection);
    const heard: number[] = [];
    slow.connection.heardEcho = (lagMs) => heard.push(lagMs);

    // The slow client announces itself, as the stock provider does on connecting.
    const own = new Awareness(new Y.Doc());
    own.setLocalState({ user: { name: 'slow' } });
    slow.connection.receive(awarenessFrame(encodeAwarenessUpdate(own, [own.clientID])));
    // Someone moves: the room sends it after its flush interval.
    const moving = new Awareness(new Y.Doc());
    moving.setLocalState({ cursor: 1 });
    mover.connection.receive(awarenessFrame(encodeAwarenessUpdate(moving, [moving.clientID])));
    vi.advanceTimersByTime(50);
    const sent = slow.socket.sent.map(parseMessage).filter((m) => m.type === 'awareness');
    expect(sent.length).toBeGreaterThan(0);

    // The client applies it 120 ms later and, like the stock provider, sends it straight back.
    vi.advanceTimersByTime(120);
    const mirror = new Awareness(new Y.Doc());
    for (const message of sent) if (message.type === 'awareness') applyAwarenessUpdate(mirror, message.update, 'server');
    slow.connection.receive(awarenessFrame(encodeAwarenessUpdate(mirror, [moving.clientID])));
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBeGreaterThanOrEqual(120);
    expect(heard[0]).toBeLessThan(130);
    room.destroy();
  });
});

describe('a room sending to a client that is behind', () => {
  it('sends it one merged update every so often instead of a frame per change, and all of them', async () => {
    const room = await openRoom();
    const writerDoc = new Y.Doc();
    const writer = fakeConnection('doc');
    const prompt = fakeConnection('doc');
    const behind = fakeConnection('doc');
    for (const peer of [writer, prompt, behind]) room.join(peer.connection);
    behind.connection.heardEcho(BEHIND_AFTER_MS + 60);

    // The first change finds it behind: it got that one as usual, the rest come merged.
    await type(writer, writerDoc, 'abcdefghij');
    await sleep(BEHIND_EVERY_MS + 20);
    expect(updatesIn(prompt.socket.sent)).toHaveLength(10);
    const frames = updatesIn(behind.socket.sent);
    expect(frames.length).toBeLessThanOrEqual(3);
    expect(textOf(frames)).toBe('abcdefghij');
    room.destroy();
  });

  it('goes back to a frame per change a second after its last late echo, without missing or repeating a change', async () => {
    const room = await openRoom();
    const writerDoc = new Y.Doc();
    const writer = fakeConnection('doc');
    const behind = fakeConnection('doc');
    for (const peer of [writer, behind]) room.join(peer.connection);
    behind.connection.heardEcho(BEHIND_AFTER_MS + 60);
    await type(writer, writerDoc, 'abcde');
    behind.connection.heardEcho(2);
    await type(writer, writerDoc, 'fgh');
    expect(updatesIn(behind.socket.sent).length).toBeLessThan(8);
    await sleep(BEHIND_FOR_MS + BEHIND_EVERY_MS + 20);
    const before = updatesIn(behind.socket.sent).length;
    await type(writer, writerDoc, 'ijk');
    const frames = updatesIn(behind.socket.sent);
    expect(frames.length - before).toBe(3);
    expect(textOf(frames)).toBe('abcdefghijk');
    // Every change exactly once: the frames hold 11 items in all.
    const items = frames.reduce((sum, frame) => sum + Y.decodeUpdate(frame).structs.reduce((n, struct) => n + struct.length, 0), 0);
    expect(items).toBe(11);
    room.destroy();
  });

  it('sends what it is owed when the room closes', async () => {
    const room = await openRoom();
    const writerDoc = new Y.Doc();
    const writer = fakeConnection('doc');
    const behind = fakeConnection('doc');
    for (const peer of [writer, behind]) room.join(peer.connection);
    behind.connection.heardEcho(BEHIND_AFTER_MS + 60);
    await type(writer, writerDoc, 'abc');
    room.destroy();
    expect(textOf(updatesIn(behind.socket.sent))).toBe('abc');
  });
});

function awarenessFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}
