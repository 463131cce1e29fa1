import * as Y from 'yjs';
import type { DocumentStore, StoredUpdate } from '../../server/collab/storage.ts';
import { Connection, type CollabSocket } from '../../server/collab/connection.ts';
import { createLogger } from '../../server/log.ts';
import type { TokenBucket } from '../../server/collab/token-bucket.ts';
import type { RoomOptions } from '../../server/collab/room-options.ts';

/**
 * A DocumentStore in memory, for room tests without a database. `gate`, when
 * set, holds every append until the test releases it.
 */
export class MemoryStore implements DocumentStore {
  log: (StoredUpdate & { seq: number })[] = [];
  segments: { state: Uint8Array; coversSeq: number }[] = [];
  appends = 0;
  gate: Promise<void> | null = null;
  failNext = false;
  #seq = 0;

  async load() {
    const covered = this.segments.length ? this.segments[this.segments.length - 1].coversSeq : 0;
    const log = this.log.filter((row) => row.seq > covered);
    return {
      updates: [...this.segments.map((s) => s.state), ...log.map((row) => row.update)],
      segmentCount: this.segments.length,
      lastSeq: this.#seq,
      logCount: log.length,
      logBytes: log.reduce((sum, row) => sum + row.update.byteLength, 0),
    };
  }

  async append(_docId: string, updates: StoredUpdate[]) {
    this.appends++;
    if (this.gate) await this.gate;
    if (this.failNext) throw new Error('disk full');
    for (const update of updates) this.log.push({ ...update, seq: ++this.#seq });
    return this.#seq;
  }

  async compact(_docId: string, segments: Uint8Array[], coversSeq: number) {
    for (const state of segments) this.segments.push({ state, coversSeq });
    this.log = this.log.filter((row) => row.seq > coversSeq);
  }

  /** The document a fresh load would produce. */
  async document(): Promise<Y.Doc> {
    const doc = new Y.Doc({ gc: false });
    for (const update of (await this.load()).updates) Y.applyUpdate(doc, update);
    return doc;
  }
}

/** A socket that records what the server sent and how it closed it. */
export class FakeSocket implements CollabSocket {
  sent: Uint8Array[] = [];
  closedWith: number | null = null;
  send(frame: Uint8Array) {
    this.sent.push(frame);
  }
  close(code: number) {
    this.closedWith = code;
  }
}

export const silentLog = createLogger('silent');

let users = 0;
export function fakeConnection(docId: string, options: { access?: 'write' | 'read'; messagesPerSecond?: number; maxMessageBytes?: number; userId?: string; writeBudget?: TokenBucket } = {}) {
  const socket = new FakeSocket();
  const n = ++users;
  const connection = new Connection(
    socket,
    { docId, user: { id: options.userId ?? `user-${n}`, displayName: `User ${n}` }, sessionId: `session-${n}`, access: options.access ?? 'write' },
    { maxMessageBytes: options.maxMessageBytes ?? 1024 * 1024, messagesPerSecond: options.messagesPerSecond ?? 1_000_000, maxBufferedBytes: 4 * 1024 * 1024 },
    silentLog,
    options.writeBudget ?? null,
  );
  return { socket, connection };
}

/** A room over `store` for tests: it compacts only when asked (or as `extra` says), commits at the end of the turn, sends presence at once. */
export function testRoomOptions(store: DocumentStore, extra: Partial<RoomOptions> = {}): RoomOptions {
  return {
    store,
    log: silentLog,
    compactAfterUpdates: 10_000,
    compactAfterBytes: 64 * 1024 * 1024,
    readOnlyStrikes: 3,
    commitDelayMs: 0,
    presenceFlushMs: 0,
    maxBufferedBytes: 16 * 1024 * 1024,
    maxDocumentBytes: 64 * 1024 * 1024,
    onEmpty: () => {},
    onFailed: () => {},
    ...extra,
  };
}
