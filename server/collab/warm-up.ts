/**
 * A first sync's storage and Yjs work, done on a document that does not
 * exist, before a restarted server takes connections. Every client reconnects
 * at once after a restart, and the first one waited for each query plan, and
 * each function of the load and reply path, to be made for the first time
 * (with embedded PGlite, on the server's own thread).
 *
 * The Yjs part is the real path, a few times over: a room is loaded from
 * memory (a document stored like a typed one: segments of runs, then log
 * rows) and a connection joins it and asks for the document, as the first
 * client will. Code V8 has only seen once still runs unoptimised: a restarted
 * server spent ~3.5 ms building a 10,000-update document and ~1 ms encoding
 * its reply where an optimised run takes ~0.3 and ~0.15 ms, and the room's
 * and connection's code, run for the first time, put 2–3 ms between the
 * document's load and its reply. A few milliseconds at start-up, before
 * listening.
 */
import * as Y from 'yjs';
import { Connection, type ConnectionLimits } from './connection.ts';
import { encodeSyncStep1, parseMessage } from './protocol.ts';
import { Room } from './room.ts';
import type { RoomOptions } from './room-options.ts';
import { mergeIntoSegments } from './segments.ts';
import type { DocumentStore, LoadedDocument } from './storage.ts';

/** Times the Yjs path runs; measured: 1 pass left the first real build at ~1.5 ms, 5 at ~0.3 ms. */
export const WARM_UP_PASSES = 5;
const SEGMENTS = 20;
const KEYSTROKES_PER_SEGMENT = 100;

/**
 * The load query, with an id that matches nothing and, given one, with a real
 * document's rows, at most a page of them (turning stored bytes into results
 * is the rest of its work); run on every pooled connection (see
 * Sql.everyConnection). Only read: no room is made for it.
 */
export async function warmUpLoad(store: DocumentStore, docId: string | null = null): Promise<void> {
  await store.load('warm-up');
  if (docId) await store.warmUp?.(docId);
}

/** What a room and a connection need that the warm-up replaces: storage is in memory, and nothing is ever written. */
export interface WarmUpRoomOptions {
  room: Omit<RoomOptions, 'store' | 'onEmpty' | 'onFailed' | 'presenceRelay'>;
  limits: ConnectionLimits;
}

/**
 * A room loads the typed document, a connection joins and syncs from nothing,
 * and both are thrown away; resolves with how many whole-document replies the
 * connections got (one per pass). Rejects if a room tried to write or failed.
 */
export async function warmUpRoom(options: WarmUpRoomOptions): Promise<number> {
  const stored = await typedDocument();
  const loaded: LoadedDocument = {
    ...stored,
    lastSeq: stored.updates.length,
    logCount: stored.updates.length - stored.segmentCount,
    logBytes: stored.updates.slice(stored.segmentCount).reduce((sum, update) => sum + update.byteLength, 0),
  };
  let trouble: string | null = null;
  const store: DocumentStore = {
    load: async () => loaded,
    append: async () => {
      trouble = 'a warm-up room tried to write';
      throw new Error(`warm-up: ${trouble}`);
    },
    compact: async () => {},
  };
  const roomOptions = { ...options.room, store, presenceRelay: undefined, onEmpty: () => {}, onFailed: () => (trouble ??= 'a warm-up room failed') };
  const user = { id: 'warm-up', displayName: 'Warm-up' };
  let replies = 0;
  for (let pass = 0; pass < WARM_UP_PASSES; pass++) {
    const room = await Room.load('warm-up', roomOptions);
    let replied: () => void = () => {};
    const reply = new Promise<void>((resolve) => (replied = resolve));
    const socket = {
      send: (frame: Uint8Array) => {
        if (parseMessage(frame).type !== 'sync-step-2') return;
        replies++;
        replied();
      },
      close: () => {},
    };
    const connection = new Connection(socket, { docId: 'warm-up', user, sessionId: 'warm-up', access: 'write' }, options.limits, options.room.log);
    room.join(connection);
    connection.receive(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
    await reply;
    connection.closedByPeer();
    room.destroy();
    if (trouble) throw new Error(`warm-up: ${trouble}`);
  }
  return replies;
}

/** Keystrokes as the log stores them, compacted into segments as compaction writes them, with a few log rows after. */
async function typedDocument(): Promise<{ updates: Uint8Array[]; segmentCount: number }> {
  const writer = new Y.Doc();
  const rows: Uint8Array[] = [];
  writer.on('update', (update: Uint8Array) => rows.push(update));
  const text = writer.getText('t');
  const segments: Uint8Array[] = [];
  for (let segment = 0; segment < SEGMENTS; segment++) {
    for (let k = 0; k < KEYSTROKES_PER_SEGMENT; k++) text.insert(text.length, String.fromCharCode(97 + (k % 26)));
    segments.push(...(await mergeIntoSegments(rows.splice(0))));
  }
  // A war room holds maps of entries besides text: their content is decoded and applied by other code.
  writer.getMap('m').set('entry', { at: 'warm-up', text: 'warm' });
  for (const char of 'warm') text.insert(text.length, char);
  writer.destroy();
  return { updates: [...segments, ...rows], segmentCount: segments.length };
}
