/**
 * One live document: the Y.Doc, the connections editing it, and the rule that
 * makes it durable — every change is applied, then committed, and only then
 * sent to anyone else. Sync-step-2 replies wait for the same commit, so no
 * client ever holds state the database could lose.
 *
 * A change that throws while being applied may leave the Y.Doc half-changed
 * (Yjs has no rollback). The sender is disconnected, nothing of it is stored
 * or sent, and the room reloads its document from the database while holding
 * other clients' messages, which then proceed against the clean document.
 *
 * A large client update (a big paste, a thousand entries at once) is checked
 * and cut into pieces on a worker thread and applied a piece per slice of
 * work, so it never holds the event loop for long; meanwhile the room holds
 * its other work as during a reload, because the document is half-changed
 * and nobody may see or change it until the whole update is applied.
 */
import * as Y from 'yjs';
import { ChangeCapture, type CapturedChange } from './change-capture.ts';
import { CloseCode } from '../shared/close-codes.ts';
import type { Connection, RoomPort } from './connection.ts';
import { GroupCommit } from './group-commit.ts';
import { RoomPresence } from './presence.ts';
import { FanOut } from './fan-out.ts';
import { encodeSyncStep1, MalformedMessage, type IncomingMessage } from './protocol.ts';
import { SyncReplies, type StoredSegments } from './sync-replies.ts';
import { buildDoc } from './segments.ts';
import { slicer } from '../threads/slices.ts';
import type { DocumentStore } from './storage.ts';
import { StoredState } from './stored-state.ts';
import { toLogRows } from './log-rows.ts';
import { inspectOffThread, isLarge, mergeOffThread } from './updates-off-thread.ts';
import { judgeWrite } from './write-checks.ts';
import type { PendingChange, RoomOptions } from './room-options.ts';

export type { RoomOptions } from './room-options.ts';

/** Transaction origin of changes another process committed (cluster mode). */
const COMMITTED_ELSEWHERE = Symbol('committed elsewhere');

export class Room implements RoomPort {
  readonly docId: string;
  readonly connections = new Set<Connection>();
  readonly presence: RoomPresence;
  doc: Y.Doc;
  readonly #options: RoomOptions;
  readonly #commits: GroupCommit<PendingChange>;
  #applied = 0;
  #committed = 0;
  #stored: StoredState;
  /** Bytes of changes applied and not yet committed, for the size budget. */
  #uncommittedBytes = 0;
  readonly #replies: SyncReplies;
  readonly #fanOut: FanOut;
  readonly #capture: ChangeCapture;
  #recovering: Promise<void> | null = null;
  /** A large client update being applied in pieces. */
  #applyingLarge: Promise<void> | null = null;
  /** Work held while the document reloads or a large update is applied, in arrival order. */
  #held: (() => void)[] = [];
  #failed = false;
  #compacting = false;
  #step1: { version: number; frame: Uint8Array } | null = null;

  static async load(docId: string, options: RoomOptions): Promise<Room> {
    const { doc, stored } = await Room.#read(docId, options.store);
    return new Room(docId, doc, stored, options);
  }

  /** The document from storage, applied in slices so a large one does not stall the server. */
  static async #read(docId: string, store: DocumentStore): Promise<{ doc: Y.Doc; stored: StoredState }> {
    const loaded = await store.load(docId);
    const stored = new StoredState(loaded);
    const doc = await buildDoc(loaded.updates, loaded.segmentCount, (d) => stored.segmentsApplied(d));
    stored.documentApplied(doc);
    return { doc, stored };
  }

  private constructor(docId: string, doc: Y.Doc, stored: StoredState, options: RoomOptions) {
    this.docId = docId;
    this.doc = doc;
    this.#options = options;
    this.#stored = stored;
    this.#capture = new ChangeCapture(doc, docId, options.log);
    const { presenceRelay } = options;
    this.presence = new RoomPresence({
      members: () => this.connections,
      memberCount: () => this.connections.size,
      flushMs: options.presenceFlushMs,
      relay: presenceRelay && ((entries) => presenceRelay(docId, entries)),
    });
    this.#replies = new SyncReplies(this, { maxBufferedBytes: options.maxBufferedBytes });
    this.#fanOut = new FanOut({ connections: this.connections, replies: this.#replies });
    this.#commits = new GroupCommit({
      write: (batch) => this.#write(batch),
      onError: (error, dropped) => this.#fail(error, dropped),
      delayMs: options.commitDelayMs,
    });
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Changes applied in memory and not yet committed. */
  get uncommitted(): number {
    return this.#applied - this.#committed;
  }

  get applied(): number {
    return this.#applied;
  }

  /** Equal for as long as the document is unchanged (see change-capture.ts). */
  get version(): number {
    return this.#capture.version;
  }

  get committed(): number {
    return this.#committed;
  }

  /** False while the document may be half-changed: reloading, or in the middle of a large update. */
  get ready(): boolean {
    return !this.#recovering && !this.#applyingLarge && !this.#failed;
  }

  /** Connections owed a whole-state reply (at most one each). */
  get owedReplies(): number {
    return this.#replies.size;
  }

  join(connection: Connection): void {
    this.#whenReady(() => {
      if (connection.closed) return;
      if (this.#failed) return connection.close(CloseCode.INTERNAL_ERROR, 'storage unavailable');
      this.connections.add(connection);
      connection.send(this.#syncStep1());
      const presence = this.presence.snapshot();
      if (presence) connection.send(presence);
      connection.attach(this);
    });
  }

  leave(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.presence.leave(connection);
    this.#replies.forget(connection);
    if (this.connections.size === 0) this.#options.onEmpty(this);
  }

  fellBehind(connection: Connection): void {
    this.#fanOut.fellBehind(connection);
  }

  receive(connection: Connection, message: IncomingMessage): void {
    this.#whenReady(() => {
      if (!connection.closed && !this.#failed) this.#handle(connection, message);
    });
  }

  /**
   * A change made by the server (e.g. an automatic timeline entry), attributed
   * to `userId` or to the system (null). Resolves once committed and sent.
   */
  async change(userId: string | null, mutate: (doc: Y.Doc) => void): Promise<void> {
    while (this.#recovering || this.#applyingLarge) await (this.#recovering ?? this.#applyingLarge);
    if (this.#failed) throw new Error(`document ${this.docId} is unavailable: its last commit failed`);
    return new Promise((resolve, reject) => {
      const applied = this.#apply(null, userId, () => this.doc.transact(() => mutate(this.doc), null), null, { resolve, reject });
      if (!applied) resolve();
    });
  }

  /**
   * Cluster hook: a change another process already committed. It is applied
   * and sent to this room's clients at once (it is durable), never stored
   * again. A connection owed a whole-state reply gets it only if that reply
   * was already computed without it.
   */
  applyCommitted(update: Uint8Array): void {
    this.#whenReady(() => {
      if (this.#failed) return;
      let change;
      try {
        change = this.#capture.run(() => Y.applyUpdate(this.doc, update, COMMITTED_ELSEWHERE), update);
      } catch (error) {
        this.#options.log.error({ err: error, docId: this.docId }, 'a change committed by another process does not apply; reloading the document');
        return this.#recover(error);
      }
      if (!change) return;
      const { pendingStructs, pendingDs } = this.doc.store;
      if (pendingStructs || pendingDs) this.#stored.forgetState();
      // It is in the log too: counted for the size budget and the compaction threshold.
      this.#stored.committed(this.#stored.lastSeq, [{ update, changes: 1, ids: change.ids }]);
      if (change.broadcast) this.#fanOut.add([{ broadcast: change.broadcast, origin: null, position: null }]);
    });
  }

  /** Resolves when everything applied so far is committed (and a reload in progress has finished). */
  async flush(): Promise<void> {
    for (let pass = 0; pass < 100; pass++) {
      while (this.#recovering || this.#applyingLarge) await (this.#recovering ?? this.#applyingLarge);
      await this.#commits.idle();
      if (this.#fanOut.pending) await new Promise<void>((resolve) => this.#fanOut.add([], null, resolve));
      if (!this.#recovering && !this.#applyingLarge) return;
    }
  }

  /** Merges the log since the last compaction into snapshot segments (see stored-state.ts). */
  compact(): Promise<void> {
    if (this.#recovering || this.#failed) return Promise.resolve();
    const stored = this.#stored;
    return stored.compact(
      this.docId,
      this.#options.store,
      (task) =>
        // A reload in between replaced the stored state; its own log is compacted next time.
        this.#commits.exclusive(async () => {
          if (!this.#failed && this.#stored === stored) await task();
        }),
    );
  }

  /** Bytes the document takes in storage, committed or about to be. */
  get storedBytes(): number {
    return this.#stored.bytes + this.#uncommittedBytes;
  }

  /** Stored segments, the state they cover and the log committed since, for streaming a large document (see sync-replies.ts). */
  get storedSegments(): StoredSegments | null {
    const stored = this.#stored;
    const { segments, coverage } = stored;
    return coverage && segments.length > 0 ? { segments, coverage, rowsCommitted: stored.rowsCommitted, rowsAfter: (mark) => stored.rowsAfter(mark) } : null;
  }

  /** Closes every connection; the caller flushes and compacts before forgetting the room. */
  closeConnections(code: number, reason: string): void {
    for (const connection of [...this.connections]) connection.close(code, reason);
  }

  destroy(): void {
    this.#fanOut.flush();
    this.#fanOut.flushBehind();
    this.#capture.destroy();
    this.#replies.destroy();
    this.presence.destroy();
    this.doc.destroy();
  }

  /** The document's state vector as a sync step 1, encoded once for everyone who joins while it is unchanged. */
  #syncStep1(): Uint8Array {
    const { version } = this;
    if (this.#step1?.version !== version) this.#step1 = { version, frame: encodeSyncStep1(Y.encodeStateVector(this.doc)) };
    return this.#step1.frame;
  }

  #handle(connection: Connection, message: IncomingMessage): void {
    switch (message.type) {
      case 'sync-step-1':
        return this.#answerSyncStep1(connection, message.stateVector);
      case 'sync-step-2':
      case 'update':
        return this.#applyFrom(connection, message.update);
      case 'awareness':
        try {
          this.presence.receive(connection, message.update);
        } catch (error) {
          if (!(error instanceof MalformedMessage)) throw error;
          connection.reject(CloseCode.MALFORMED, 'malformed awareness update', { reason: error.message });
        }
        return;
      case 'query-awareness': {
        const presence = this.presence.snapshot();
        if (presence) connection.send(presence);
        return;
      }
    }
  }

  #answerSyncStep1(connection: Connection, stateVector: Uint8Array): void {
    try {
      this.#replies.request(connection, stateVector);
    } catch (error) {
      connection.reject(CloseCode.MALFORMED, 'malformed state vector', { reason: (error as Error).message });
    }
  }

  #applyFrom(connection: Connection, update: Uint8Array): void {
    if (isLarge(update)) return this.#applyLargeFrom(connection, update);
    const verdict = judgeWrite(connection, update, this.storedBytes, this.#options);
    if (verdict === 'ignore') return;
    if (verdict !== 'apply') return connection.reject(verdict.code, verdict.reason, verdict.details);
    try {
      this.#apply(connection, connection.user.id, () => Y.applyUpdate(this.doc, update, connection), update);
    } catch (error) {
      connection.reject(CloseCode.MALFORMED, 'update does not apply', { reason: (error as Error).message });
    }
  }

  #applyLargeFrom(connection: Connection, update: Uint8Array): void {
    const receivedAt = new Date();
    this.#applyingLarge = this.#applyInPieces(connection, update, receivedAt)
      .catch((error) => {
        this.#options.log.error({ err: error, docId: this.docId, userId: connection.user.id }, 'could not check a large update; closing its sender, who resends on reconnect');
        connection.close(CloseCode.INTERNAL_ERROR, 'update not applied');
      })
      .finally(() => {
        this.#applyingLarge = null;
        this.#releaseHeld();
      });
  }

  async #applyInPieces(connection: Connection, update: Uint8Array, receivedAt: Date): Promise<void> {
    const inspected = await inspectOffThread(update);
    if (connection.closed || this.#failed) return;
    if ('malformed' in inspected) return connection.reject(CloseCode.MALFORMED, 'malformed update', { reason: inspected.malformed });
    const verdict = judgeWrite(connection, update, this.storedBytes, this.#options, inspected.empty);
    if (verdict === 'ignore') return;
    if (verdict !== 'apply') return connection.reject(verdict.code, verdict.reason, verdict.details);
    const pause = slicer();
    let change;
    try {
      const applyPieces = async () => {
        for (const piece of inspected.pieces) {
          Y.applyUpdate(this.doc, piece, connection);
          await pause();
        }
      };
      change = await this.#capture.runInTurns(applyPieces, { update, ids: inspected.ids }, mergeOffThread);
    } catch (error) {
      // Some pieces may be in the document: reload it, as for any change that fails half-way.
      this.#recover(error);
      return connection.reject(CloseCode.MALFORMED, 'update does not apply', { reason: (error as Error).message });
    }
    // A store that failed meanwhile has closed the room: nothing more is committed.
    if (change && !this.#failed) this.#queue(change, connection, connection.user.id, receivedAt);
  }

  /**
   * Runs `mutate` against the document and queues what it changed for commit.
   * Returns false when nothing changed. If `mutate` throws, the document is
   * reloaded from the database and the error rethrown; nothing is queued.
   */
  #apply(origin: Connection | null, userId: string | null, mutate: () => void, raw: Uint8Array | null, done?: PendingChange['done']): boolean {
    let change;
    try {
      change = this.#capture.run(mutate, raw);
    } catch (error) {
      this.#recover(error);
      throw error;
    }
    if (!change) return false;
    this.#queue(change, origin, userId, new Date(), done);
    return true;
  }

  #queue(change: CapturedChange, origin: Connection | null, userId: string | null, receivedAt: Date, done?: PendingChange['done']): void {
    const { pendingStructs, pendingDs } = this.doc.store;
    if (pendingStructs || pendingDs) this.#stored.forgetState();
    this.#uncommittedBytes += change.update.byteLength;
    this.#commits.push({ ...change, position: ++this.#applied, origin, userId, receivedAt, done });
  }

  /** Commit, then broadcast (at the end of the turn, see fan-out.ts): the one path by which a change reaches anyone else. */
  async #write(batch: PendingChange[]): Promise<void> {
    const rows = toLogRows(batch);
    const lastSeq = await this.#options.store.append(this.docId, rows);
    this.#stored.committed(lastSeq, rows);
    this.#committed = batch[batch.length - 1].position;
    for (const change of batch) this.#uncommittedBytes -= change.update.byteLength;
    // Usually what was stored is exactly what everyone else needs, and already merged per person.
    const asStored = batch.every((change) => change.update === change.broadcast);
    const merged = asStored ? () => (rows.length === 1 ? rows[0].update : Y.mergeUpdates(rows.map((row) => row.update))) : null;
    const done = batch.filter((change) => change.done);
    const sent = new Promise<void>((resolve) =>
      this.#fanOut.add(batch, merged, () => {
        for (const change of done) change.done!.resolve();
        resolve();
      }),
    );
    if (!this.#compacting && (this.#stored.logCount >= this.#options.compactAfterUpdates || this.#stored.logBytes >= this.#options.compactAfterBytes)) {
      this.#compacting = true;
      this.compact()
        .catch((error) => this.#options.log.error({ err: error, docId: this.docId }, 'compaction failed; the log keeps growing until the next attempt'))
        .finally(() => (this.#compacting = false));
    }
    // The next batch starts once this one is sent: sending costs the same for one change as for hundreds
    // (N frames), so what arrives meanwhile joins the next batch instead of making a frame of its own.
    await sent;
  }

  #whenReady(work: () => void): void {
    if (this.#recovering || this.#applyingLarge || this.#held.length > 0) this.#held.push(work);
    else work();
  }

  /** Runs held work in order until some of it holds the room again (a large update, a reload). */
  #releaseHeld(): void {
    while (this.#held.length > 0 && !this.#recovering && !this.#applyingLarge) this.#held.shift()!();
  }

  #recover(cause: unknown): void {
    if (this.#recovering) return;
    this.#options.log.warn({ docId: this.docId, reason: (cause as Error)?.message }, 'a change failed half-way; reloading the document from the database');
    this.#recovering = (async () => {
      await this.#commits.idle();
      if (this.#failed) return;
      const { doc, stored } = await Room.#read(this.docId, this.#options.store);
      this.#capture.replace(doc);
      this.doc.destroy();
      this.doc = doc;
      this.#stored = stored;
    })()
      .catch((error) => this.#fail(error, []))
      .finally(() => {
        this.#recovering = null;
        this.#releaseHeld();
      });
  }

  #fail(error: unknown, dropped: PendingChange[]): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#options.log.error({ err: error, docId: this.docId, dropped: dropped.length }, 'document store failed; closing the room so clients resend on reconnect');
    for (const change of dropped) change.done?.reject(error);
    this.closeConnections(CloseCode.INTERNAL_ERROR, 'storage unavailable');
    this.#options.onFailed(this);
  }
}
