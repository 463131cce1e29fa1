/**
 * Whole-state replies owed to connections: the answer to a client's sync
 * step 1, and the catch-up of a reader that fell behind. At most one per
 * connection, whatever the client sends, so memory stays flat:
 *
 * - A newer sync step 1 while a reply is owed changes nothing: the reply is
 *   computed from the document when it is sent, so it already holds
 *   everything the newer request could ask for.
 * - The diff is computed only when the connection's send buffer has room,
 *   so a client that asks without reading costs one buffer, not a queue.
 * - A reader whose send buffer passes the limit stops receiving individual
 *   updates; once it has drained, it gets one diff from the state it had when
 *   it fell behind ("drop and resync"), instead of an ever-growing backlog.
 *
 * Commit before broadcast holds: a diff computed while changes are still
 * uncommitted waits (parked, one per connection) until they are committed.
 * While a reply is owed, individual updates it will contain are not sent.
 *
 * A client that lacks most of a large document gets the stored segments one
 * by one first (see segments.ts), then what was committed since them, so no
 * single step encodes the whole document (the document's own diff would carry
 * every deletion it holds, which the segments already did).
 */
import * as Y from 'yjs';
import type { Connection } from './connection.ts';
import * as encoding from 'lib0/encoding';
import { encodeSyncStep2, encodeUpdate } from './protocol.ts';

/** How many clock ticks of the document (its state vector `state`) the client does not have yet. */
function missing(state: Uint8Array, stateVector: Uint8Array): number {
  const has = Y.decodeStateVector(stateVector);
  let total = 0;
  for (const [client, clock] of Y.decodeStateVector(state)) total += Math.max(0, clock - (has.get(client) ?? 0));
  return total;
}

/** An update with no structs and no deletions. */
const EMPTY_UPDATE = new Uint8Array([0, 0]);

/**
 * What `changes` hold beyond `stateVector`, with all of their deletions, as one update. `fresh`: the client started
 * from nothing and was sent only what comes before these, so none of them need cutting (diffing a 1 MB row takes 50 ms).
 */
function diffOfChanges(changes: Uint8Array[], stateVector: Uint8Array, fresh: boolean): Uint8Array {
  if (changes.length === 0) return EMPTY_UPDATE;
  const merged = changes.length === 1 ? changes[0] : Y.mergeUpdates(changes);
  return fresh ? merged : Y.diffUpdate(merged, stateVector);
}

function diffKey(stateVector: Uint8Array, upTo: number, source: string): string {
  const vector = Buffer.from(stateVector.buffer, stateVector.byteOffset, stateVector.byteLength).toString('latin1');
  return `${source} up to ${upTo}:${vector}`;
}

/** Yjs's state-vector encoding (count, then client/clock pairs), for a merged vector. */
function encodeStateVector(vector: Map<number, number>): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, vector.size);
  for (const [client, clock] of vector) {
    encoding.writeVarUint(encoder, client);
    encoding.writeVarUint(encoder, clock);
  }
  return encoding.toUint8Array(encoder);
}

export interface StoredSegments {
  /** In order; the same array for as long as the document is not reloaded (compactions add to it). */
  segments: Uint8Array[];
  /** The state the segments give. */
  coverage: Map<number, number>;
  /** Log rows committed since the document was loaded (a count that never goes down). */
  rowsCommitted: number;
  /** The log rows after the first `mark` still in the log: with the segments, the committed document (null: not known exactly). */
  rowsAfter(mark: number): Uint8Array[] | null;
}

export interface ReplySource {
  /** The document's state vector as of the last change applied. */
  stateVector(): Uint8Array;
  /**
   * What the document holds beyond `stateVector`. A promise when the
   * document is on the document thread: it answers in order, so the diff
   * holds exactly the changes applied by the time it resolves.
   */
  encodeDiff(stateVector: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Stored segments, the state they cover and the log rows since, to send a large document in pieces. */
  readonly storedSegments: StoredSegments | null;
  /** False while the document is being reloaded: it may hold half of a failed change. */
  readonly ready: boolean;
  /** Position of the last change applied to the document. */
  readonly applied: number;
  /** Equal for as long as the document is unchanged. */
  readonly version: number;
  /** Position of the last change committed to the store. */
  readonly committed: number;
}

interface Owed {
  connection: Connection;
  /** The client holds at least this. */
  stateVector: Uint8Array;
  /** Updates up to this position are still sent individually: the diff will not contain them. */
  sendUpTo: number;
  /** The computed diff, waiting for `after` to be committed. */
  frame: Uint8Array | null;
  /** The last change the diff contains. */
  after: number;
  timer: NodeJS.Timeout | null;
  /** Next stored segment to send, while a large document goes out in pieces. */
  segment: number | null;
  /** The segments being sent (the room's array, which compactions add to): a reload replaces it, and the catch-up starts over. */
  source: Uint8Array[] | null;
  /** The client's own state was empty: what it is sent needs no diff against it. */
  fresh: boolean;
  /** How many of the log's rows it was sent (or are in segments it was sent), once all segments were: see #streamRows. */
  rowMark: number;
}

/** A client missing more than this many Yjs clock ticks (≈ characters and entries) gets the stored segments first. */
const STREAM_ABOVE = 50_000;

/** Log rows sent per turn after the segments (at least one row): merging or diffing them costs about 0.1 ms per KiB. */
const ROWS_PER_TURN_BYTES = 64 * 1024;

/** Diffs up to this size are kept for the next client with the same state vector; a larger one is not worth holding. */
const REUSE_DIFFS_UP_TO = 1024 * 1024;

/** How often a connection with a full send buffer (or a room reloading its document) is looked at again. */
const DRAIN_POLL_MS = 20;

export class SyncReplies {
  readonly #source: ReplySource;
  readonly #maxBufferedBytes: number;
  readonly #owed = new Map<Connection, Owed>();
  /**
   * The last diff computed, while the document is unchanged: clients that
   * connect together (a page of tabs, a reconnect after a restart, a crowd
   * joining a new room) mostly send the same state vector, and encoding the
   * document once for all of them is most of what a connect costs.
   */
  #lastDiff: { version: number; key: string; frame: Uint8Array } | null = null;

  constructor(source: ReplySource, options: { maxBufferedBytes: number }) {
    this.#source = source;
    this.#maxBufferedBytes = options.maxBufferedBytes;
  }

  /** Connections owed a reply (tests look). */
  get size(): number {
    return this.#owed.size;
  }

  /** A client's sync step 1; throws for a state vector that does not decode. */
  request(connection: Connection, stateVector: Uint8Array): void {
    if (this.#owed.has(connection)) return;
    Y.decodeStateVector(stateVector);
    this.#owe(connection, stateVector, 0);
  }

  /** After sending to `connection`: start a catch-up if its buffer passed the limit. */
  checkBacklog(connection: Connection): void {
    if (this.#owed.has(connection) || connection.bufferedAmount <= this.#maxBufferedBytes) return;
    // A half-changed document's state vector claims what no change has been sent for yet; the next send looks again.
    if (!this.#source.ready) return;
    const { applied } = this.#source;
    // The document already holds changes up to `applied`; the ones not yet committed still go out one by one.
    this.#owe(connection, this.#source.stateVector(), applied);
  }

  /** The connections owed a reply now. */
  owing(): Connection[] {
    return this.#owed.size === 0 ? [] : [...this.#owed.keys()];
  }

  /** Whether the update at `position` goes to `connection` individually. */
  wants(connection: Connection, position: number): boolean {
    const owed = this.#owed.get(connection);
    if (!owed) return true;
    return position <= owed.sendUpTo || (owed.frame !== null && position > owed.after);
  }

  /** Everything up to `position` is committed: send the replies that were waiting for it. */
  committedUpTo(position: number): void {
    for (const owed of this.#owed.values()) {
      if (owed.frame && owed.after <= position) this.#deliver(owed);
    }
  }

  forget(connection: Connection): void {
    const owed = this.#owed.get(connection);
    if (!owed) return;
    clearTimeout(owed.timer ?? undefined);
    this.#owed.delete(connection);
  }

  destroy(): void {
    this.#lastDiff = null;
    for (const connection of [...this.#owed.keys()]) this.forget(connection);
  }

  #owe(connection: Connection, stateVector: Uint8Array, sendUpTo: number): void {
    const fresh = Y.decodeStateVector(stateVector).size === 0;
    const owed: Owed = { connection, stateVector, sendUpTo, frame: null, after: 0, timer: null, segment: null, source: null, fresh, rowMark: 0 };
    this.#owed.set(connection, owed);
    this.#prepare(owed);
  }

  #prepare(owed: Owed): void {
    owed.timer = null;
    if (owed.connection.closed) return this.forget(owed.connection);
    // Leave room for the reply itself: only a drained buffer gets one.
    if (owed.connection.bufferedAmount > this.#maxBufferedBytes / 2) {
      owed.timer = setTimeout(() => this.#prepare(owed), DRAIN_POLL_MS);
      return;
    }
    const { storedSegments } = this.#source;
    // The document was reloaded: its segments and log rows are counted afresh. What the client was sent is in its
    // state vector (segments it was sent whole); the rest is decided again, as for a new request.
    if (owed.source && owed.source !== storedSegments?.segments) {
      owed.segment = null;
      owed.source = null;
      owed.rowMark = 0;
    }
    // Stored segments are committed whatever the document is doing: they go out while it is busy too.
    if (owed.segment === null && storedSegments && missing(this.#source.stateVector(), owed.stateVector) > STREAM_ABOVE) {
      owed.segment = 0;
      owed.source = storedSegments.segments;
    }
    if (owed.segment !== null && storedSegments && owed.segment < storedSegments.segments.length) return this.#stream(owed, storedSegments);
    if (!this.#source.ready) {
      owed.timer = setTimeout(() => this.#prepare(owed), DRAIN_POLL_MS);
      return;
    }
    const { applied, committed } = this.#source;
    // The segments carried their own deletions: what the client still lacks is in the log committed since.
    // Encoding from the document instead writes the whole document's deletions, one long step for a large one.
    const rows = owed.source && storedSegments ? storedSegments.rowsAfter(owed.rowMark) : null;
    if (rows) return this.#streamRows(owed, storedSegments!, rows, committed);
    let frame = this.#reusable(owed.stateVector, applied, 'document');
    if (!frame) {
      const diff = this.#source.encodeDiff(owed.stateVector);
      if (diff instanceof Promise) return this.#awaitDiff(owed, diff);
      frame = this.#keep(applied, 'document', owed.stateVector, encodeSyncStep2(diff));
    }
    owed.frame = frame;
    owed.after = applied;
    if (committed >= applied) this.#deliver(owed);
  }

  /**
   * A diff from the document thread. It answers in order, so the diff holds
   * every change applied by the time it arrives, and no other: the reply
   * waits for exactly those to be committed. While it is on its way, the
   * connection is sent no individual updates past `sendUpTo` (see wants).
   */
  #awaitDiff(owed: Owed, diff: Promise<Uint8Array>): void {
    diff.then(
      (update) => {
        if (this.#owed.get(owed.connection) !== owed) return;
        const { applied, committed } = this.#source;
        owed.frame = this.#keep(applied, 'document', owed.stateVector, encodeSyncStep2(update));
        owed.after = applied;
        if (committed >= applied) this.#deliver(owed);
      },
      () => {
        // The document thread failed; the room loads the document again meanwhile, and the reply is made after.
        if (this.#owed.get(owed.connection) === owed) owed.timer = setTimeout(() => this.#prepare(owed), DRAIN_POLL_MS);
      },
    );
  }

  /**
   * Sends one stored segment (what the client lacks of it) and comes back for
   * the next: encoding a large document in one go would stall the server. The
   * log rows committed since then follow (see #streamRows).
   */
  #stream(owed: Owed, stored: StoredSegments): void {
    const segment = stored.segments[owed.segment!];
    owed.connection.send(encodeUpdate(owed.fresh ? segment : Y.diffUpdate(segment, owed.stateVector)));
    owed.segment!++;
    if (owed.segment === stored.segments.length) {
      const known = Y.decodeStateVector(owed.stateVector);
      for (const [client, clock] of stored.coverage) known.set(client, Math.max(clock, known.get(client) ?? 0));
      owed.stateVector = encodeStateVector(known);
    }
    owed.timer = setTimeout(() => this.#prepare(owed), 0);
  }

  /**
   * After the segments, the log rows committed since, merged a slice per turn
   * (a row larger than a slice goes alone); the last slice is the reply.
   * Rows are committed, so they may go out before the reply; a change still
   * being committed follows it, as to everyone.
   */
  #streamRows(owed: Owed, stored: StoredSegments, rows: Uint8Array[], committed: number): void {
    let bytes = 0;
    let count = 0;
    while (count < rows.length && (count === 0 || bytes + rows[count].byteLength <= ROWS_PER_TURN_BYTES)) bytes += rows[count++].byteLength;
    const slice = rows.slice(0, count);
    if (count === rows.length) {
      const mark = stored.rowsCommitted - rows.length;
      owed.frame = this.#diff(owed.stateVector, committed, `rows after ${mark}`, () => diffOfChanges(slice, owed.stateVector, owed.fresh));
      owed.after = committed;
      return this.#deliver(owed);
    }
    owed.connection.send(encodeUpdate(diffOfChanges(slice, owed.stateVector, owed.fresh)));
    owed.rowMark = stored.rowsCommitted - rows.length + count;
    owed.timer = setTimeout(() => this.#prepare(owed), 0);
  }

  /**
   * The reply holding everything up to change `upTo` the client lacks, from `source` (the document, or the log rows
   * after the ones a client was already sent: such a reply answers only a client that was sent the same).
   */
  #diff(stateVector: Uint8Array, upTo: number, source: string, encode: () => Uint8Array): Uint8Array {
    return this.#reusable(stateVector, upTo, source) ?? this.#keep(upTo, source, stateVector, encodeSyncStep2(encode()));
  }

  /** The last reply made, if it answers the same request of the same document. */
  #reusable(stateVector: Uint8Array, upTo: number, source: string): Uint8Array | null {
    const last = this.#lastDiff;
    return last && last.version === this.#source.version && last.key === diffKey(stateVector, upTo, source) ? last.frame : null;
  }

  #keep(upTo: number, source: string, stateVector: Uint8Array, frame: Uint8Array): Uint8Array {
    this.#lastDiff = frame.byteLength <= REUSE_DIFFS_UP_TO ? { version: this.#source.version, key: diffKey(stateVector, upTo, source), frame } : null;
    return frame;
  }

  #deliver(owed: Owed): void {
    this.#owed.delete(owed.connection);
    owed.connection.send(owed.frame!);
  }
}
