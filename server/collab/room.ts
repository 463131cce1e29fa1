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
 *
 * A large document lives on the document thread instead (hosted-document.ts):
 * a room loaded at HOST_ABOVE_BYTES or more keeps it there, and a room that
 * grows past that while open moves it there (a reload, between commits).
 * Each change then is a request to that thread, with the room's other work
 * held meanwhile as for a large update; the commit, the fan-out and the
 * replies stay here. Such a document changes only by clients' updates and
 * named commands (document-commands.ts), never by a closure.
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
import { buildDoc, isPending, stateOf } from './segments.ts';
import { HostedDocument, type Outcome } from './hosted-document.ts';
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

/** Stored bytes from which a room's document lives on the document thread (about 10,000 timeline entries). */
export const HOST_ABOVE_BYTES = 2 * 1024 * 1024;

/** Where a room's document is: a Y.Doc on this thread, with what captures its changes, or one on the document thread. */
type Home = { doc: Y.Doc; capture: ChangeCapture; hosted?: never } | { hosted: HostedDocument; doc?: never; capture?: never };

export class Room implements RoomPort {
  readonly docId: string;
  readonly connections = new Set<Connection>();
  readonly presence: RoomPresence;
  #home: Home;
  /** Moves on with every reload, so versions of different documents never compare equal. */
  #reloads = 0;
  /** Moves on with every change asked of a hosted document. */
  #hostedVersion = 0;
  readonly #options: RoomOptions;
  readonly #commits: GroupCommit<PendingChange>;
  #applied = 0;
  #committed = 0;
  #stored: StoredState;
  /** Bytes of changes applied and not yet committed, for the size budget. */
  #uncommittedBytes = 0;
  readonly #replies: SyncReplies;
  readonly #fanOut: FanOut;
  #recovering: Promise<void> | null = null;
  /** A change that takes several turns: a large client update applied in pieces, or any change of a hosted document. */
  #applyingLarge: Promise<void> | null = null;
  /** Work held while the document reloads or a large update is applied, in arrival order. */
  #held: (() => void)[] = [];
  #failed = false;
  #compacting = false;
  #step1: { version: number; frame: Uint8Array } | null = null;

  static async load(docId: string, options: RoomOptions): Promise<Room> {
    const { home, stored } = await Room.#read(docId, options);
    return new Room(docId, home, stored, options);
  }

  /**
   * The document from storage: a large one built on the document thread,
   * another here in slices so it does not stall the server.
   */
  static async #read(docId: string, options: RoomOptions): Promise<{ home: Home; stored: StoredState }> {
    const loaded = await options.store.load(docId);
    const stored = new StoredState(loaded);
    if (stored.bytes >= (options.hostAboveBytes ?? HOST_ABOVE_BYTES)) {
      const { document, coverage, storedState } = await HostedDocument.load(docId, loaded, options.commands?.module ?? null);
      stored.segmentsApplied(coverage);
      stored.documentApplied(storedState);
      return { home: { hosted: document }, stored };
    }
    const doc = await buildDoc(loaded.updates, loaded.segmentCount, (d) => stored.segmentsApplied(stateOf(d)));
    stored.documentApplied(stateOf(doc));
    return { home: { doc, capture: new ChangeCapture(doc, docId, options.log) }, stored };
  }

  private constructor(docId: string, home: Home, stored: StoredState, options: RoomOptions) {
    this.docId = docId;
    this.#home = home;
    this.#options = options;
    this.#stored = stored;
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
    const { capture } = this.#home;
    return this.#reloads * 2 ** 32 + (capture ? capture.version : this.#hostedVersion);
  }

  /** The document on this thread; a hosted one has none here (tests and closures of small rooms use it). */
  get doc(): Y.Doc {
    const { doc } = this.#home;
    if (!doc) throw new Error(`document ${this.docId} lives on the document thread`);
    return doc;
  }

  /** Whether the document lives on the document thread. */
  get hosted(): boolean {
    return this.#home.hosted !== undefined;
  }

  /** The document's state vector as of the last change applied. */
  stateVector(): Uint8Array {
    const { doc, hosted } = this.#home;
    return hosted ? hosted.stateVector : Y.encodeStateVector(doc);
  }

  /** What the document holds beyond `stateVector`: at once here, or from the document thread. */
  encodeDiff(stateVector: Uint8Array): Uint8Array | Promise<Uint8Array> {
    const { doc, hosted } = this.#home;
    return hosted ? hosted.diff(stateVector) : Y.encodeStateAsUpdate(doc, stateVector);
  }

  get committed(): number {
    return this.#committed;
  }

  /**
   * False while the document may be half-changed: reloading, or in the
   * middle of a large update. A hosted document is never half-changed as
   * seen from here: the thread answers in order, a change in flight included.
   */
  get ready(): boolean {
    return !this.#recovering && !this.#failed && (this.#home.hosted !== undefined || !this.#applyingLarge);
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
    while (this.#busy) await this.#busy;
    if (this.#failed) throw new Error(`document ${this.docId} is unavailable: its last commit failed`);
    const { doc } = this;
    return new Promise((resolve, reject) => {
      const applied = this.#apply(null, userId, () => doc.transact(() => mutate(doc), null), null, { resolve, reject });
      if (!applied) resolve();
    });
  }

  /** A change made elsewhere as a Yjs update, by `userId` or the system: applied, committed and sent like a client's. */
  async applyUpdate(userId: string | null, update: Uint8Array): Promise<void> {
    while (this.#busy) await this.#busy;
    if (this.#failed) throw new Error(`document ${this.docId} is unavailable: its last commit failed`);
    const { doc, hosted } = this.#home;
    return new Promise((resolve, reject) => {
      if (hosted) return this.#changeHosted((document) => document.apply(update, false), null, userId, { applied: () => ({ resolve, reject }), failed: reject });
      const applied = this.#apply(null, userId, () => Y.applyUpdate(doc, update, null), update, { resolve, reject });
      if (!applied) resolve();
    });
  }

  /**
   * A named change by the server (see document-commands.ts), attributed like
   * `change`, wherever the document lives. Resolves with the command's
   * result once committed and sent.
   */
  async runCommand(userId: string | null, command: unknown): Promise<unknown> {
    const { commands } = this.#options;
    if (!commands) throw new Error('this server was started without document commands');
    while (this.#busy) await this.#busy;
    if (!this.#home.hosted) {
      let result: unknown;
      await this.change(userId, (doc) => {
        result = commands.run(doc, command);
      });
      return result;
    }
    if (this.#failed) throw new Error(`document ${this.docId} is unavailable: its last commit failed`);
    return new Promise((resolve, reject) => {
      this.#changeHosted((hosted) => hosted.command(command), null, userId, {
        applied: (outcome) => ({ resolve: () => resolve(outcome.result), reject }),
        failed: reject,
      });
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
      const { doc, capture, hosted } = this.#home;
      if (hosted) {
        this.#applyingLarge = hosted
          .apply(update, true)
          .then(
            (outcome) => this.#committedElsewhere(update, outcome),
            (error) => this.#committedElsewhere(update, { failed: (error as Error).message }),
          )
          .finally(() => {
            this.#applyingLarge = null;
            this.#releaseHeld();
          });
        return;
      }
      try {
        const change = capture.run(() => Y.applyUpdate(doc, update, COMMITTED_ELSEWHERE), update);
        this.#committedElsewhere(update, { change, pending: isPending(doc) });
      } catch (error) {
        this.#committedElsewhere(update, { failed: (error as Error).message });
      }
    });
  }

  #committedElsewhere(update: Uint8Array, outcome: { change: CapturedChange | null; pending: boolean } | { failed: string }): void {
    if ('failed' in outcome) {
      this.#options.log.error({ reason: outcome.failed, docId: this.docId }, 'a change committed by another process does not apply; reloading the document');
      return this.#recover(new Error(outcome.failed));
    }
    const { change, pending } = outcome;
    if (!change) return;
    if (pending) this.#stored.forgetState();
    // It is in the log too: counted for the size budget and the compaction threshold.
    this.#stored.committed(this.#stored.lastSeq, [{ update, changes: 1, ids: change.ids }]);
    if (change.broadcast) this.#fanOut.add([{ broadcast: change.broadcast, origin: null, position: null }]);
  }

  /** The reload or the change over several turns in progress, if any: other work waits for it. */
  get #busy(): Promise<void> | null {
    return this.#recovering ?? this.#applyingLarge;
  }

  /** Resolves when everything applied so far is committed (and a reload in progress has finished). */
  async flush(): Promise<void> {
    for (let pass = 0; pass < 100; pass++) {
      while (this.#busy) await this.#busy;
      await this.#commits.idle();
      if (this.#fanOut.pending) await new Promise<void>((resolve) => this.#fanOut.add([], null, resolve));
      if (!this.#busy) return;
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
    this.#replies.destroy();
    this.presence.destroy();
    letGo(this.#home);
  }

  /** The document's state vector as a sync step 1, encoded once for everyone who joins while it is unchanged. */
  #syncStep1(): Uint8Array {
    const { version } = this;
    if (this.#step1?.version !== version) this.#step1 = { version, frame: encodeSyncStep1(this.stateVector()) };
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
    if (this.#home.hosted) return this.#applyHostedFrom(connection, update);
    if (isLarge(update)) return this.#applyLargeFrom(connection, update);
    const verdict = judgeWrite(connection, update, this.storedBytes, this.#options);
    if (verdict === 'ignore') return;
    if (verdict !== 'apply') return connection.reject(verdict.code, verdict.reason, verdict.details);
    const { doc } = this;
    try {
      this.#apply(connection, connection.user.id, () => Y.applyUpdate(doc, update, connection), update);
    } catch (error) {
      connection.reject(CloseCode.MALFORMED, 'update does not apply', { reason: (error as Error).message });
    }
  }

  /** A client's update to a hosted document. A large one is not decoded here: the document thread refuses it if it does not apply. */
  #applyHostedFrom(connection: Connection, update: Uint8Array): void {
    const verdict = judgeWrite(connection, update, this.storedBytes, this.#options, isLarge(update) ? false : undefined);
    if (verdict === 'ignore') return;
    if (verdict !== 'apply') return connection.reject(verdict.code, verdict.reason, verdict.details);
    this.#changeHosted((hosted) => hosted.apply(update, false), connection, connection.user.id, {
      applied: () => undefined,
      failed: (error) => connection.reject(CloseCode.MALFORMED, 'update does not apply', { reason: error.message }),
      // Not the client's fault: it resends on reconnect, to the document loaded again.
      lost: () => connection.close(CloseCode.INTERNAL_ERROR, 'update not applied'),
    });
  }

  /**
   * Asks the document thread for one change, holding the room's other work
   * until it answers; queues what it changed for commit. A change that
   * failed there dropped the document: it is loaded again.
   */
  #changeHosted(
    ask: (hosted: HostedDocument) => Promise<Outcome>,
    origin: Connection | null,
    userId: string | null,
    then: {
      applied(outcome: Extract<Outcome, { change: unknown }>): PendingChange['done'] | undefined;
      /** It does not apply (the thread dropped the document). */
      failed(error: Error): void;
      /** The thread failed (it died, or lost the document): nothing is known of the change. Default: as `failed`. */
      lost?(error: Error): void;
    },
  ): void {
    const { hosted } = this.#home;
    const receivedAt = new Date();
    this.#hostedVersion++;
    this.#applyingLarge = ask(hosted!)
      .then(
        (outcome) => outcome,
        (error: Error) => {
          this.#options.log.error({ err: error, docId: this.docId }, 'the document thread failed; reloading the document');
          this.#recover(error);
          (then.lost ?? then.failed)(error);
          return null;
        },
      )
      .then((outcome) => {
        this.#hostedVersion++;
        if (!outcome) return;
        if ('failed' in outcome) {
          const error = new Error(outcome.failed);
          this.#recover(error);
          return then.failed(error);
        }
        const done = then.applied(outcome);
        // A store that failed meanwhile has closed the room: nothing more is committed.
        if (this.#failed) return done?.reject(new Error(`document ${this.docId} is unavailable: its last commit failed`));
        if (outcome.change) this.#queue(outcome.change, origin, userId, receivedAt, outcome.pending, done);
        else done?.resolve();
      })
      .finally(() => {
        this.#applyingLarge = null;
        this.#releaseHeld();
      });
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
    const { doc, capture } = this.#home;
    // The document moved to the document thread meanwhile (a reload cannot start while this holds the room, so this
    // is only a guard): the client resends on reconnect, to wherever the document is then.
    if (!doc) return connection.close(CloseCode.INTERNAL_ERROR, 'update not applied');
    let change;
    try {
      const applyPieces = async () => {
        for (const piece of inspected.pieces) {
          Y.applyUpdate(doc, piece, connection);
          await pause();
        }
      };
      change = await capture.runInTurns(applyPieces, { update, ids: inspected.ids }, mergeOffThread);
    } catch (error) {
      // Some pieces may be in the document: reload it, as for any change that fails half-way.
      this.#recover(error as Error);
      return connection.reject(CloseCode.MALFORMED, 'update does not apply', { reason: (error as Error).message });
    }
    // A store that failed meanwhile has closed the room: nothing more is committed.
    if (change && !this.#failed) this.#queue(change, connection, connection.user.id, receivedAt, isPending(doc));
  }

  /**
   * Runs `mutate` against the document and queues what it changed for commit.
   * Returns false when nothing changed. If `mutate` throws, the document is
   * reloaded from the database and the error rethrown; nothing is queued.
   */
  #apply(origin: Connection | null, userId: string | null, mutate: () => void, raw: Uint8Array | null, done?: PendingChange['done']): boolean {
    const { doc, capture } = this.#home;
    let change;
    try {
      change = capture!.run(mutate, raw);
    } catch (error) {
      this.#recover(error as Error);
      throw error;
    }
    if (!change) return false;
    this.#queue(change, origin, userId, new Date(), isPending(doc!), done);
    return true;
  }

  /** `pending`: some structs of the document wait for others (the stored state is then no longer known from ids). */
  #queue(change: CapturedChange, origin: Connection | null, userId: string | null, receivedAt: Date, pending: boolean, done?: PendingChange['done']): void {
    if (pending) this.#stored.forgetState();
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
    // Grown large: the document moves to the document thread (never in the middle of a large update's pieces).
    if (!this.#home.hosted && !this.#applyingLarge && this.storedBytes >= (this.#options.hostAboveBytes ?? HOST_ABOVE_BYTES)) this.#recover(null);
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

  /**
   * Loads the document again from the database, holding other work: after a
   * change that failed half-way (`cause`), or (null) to move a document that
   * grew large to the document thread.
   */
  #recover(cause: Error | null): void {
    if (this.#recovering) return;
    if (cause) this.#options.log.warn({ docId: this.docId, reason: cause.message }, 'a change failed half-way; reloading the document from the database');
    else this.#options.log.info({ docId: this.docId, storedBytes: this.storedBytes }, 'the document grew large; moving it to the document thread');
    this.#recovering = (async () => {
      await this.#commits.idle();
      if (this.#failed) return;
      const { home, stored } = await Room.#read(this.docId, this.#options);
      letGo(this.#home);
      this.#home = home;
      this.#reloads++;
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

function letGo(home: Home): void {
  if (home.hosted) return home.hosted.drop();
  home.capture.destroy();
  home.doc.destroy();
}
