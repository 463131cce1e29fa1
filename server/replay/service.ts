/**
 * Replay on the main thread's side: which war rooms are loaded in the replay
 * worker (a few, least recently used out), bringing each up to date from the
 * database, and asking the worker for boards and steps.
 *
 * The main thread only moves data. It reads a history in pages of changes
 * (PGlite runs queries on this thread, so one query for 100,000 rows would
 * itself block), hands the stored document to the worker, and never touches
 * Yjs; the worker does the heavy work one message at a time. A request for a
 * history already loaded costs one max(seq) query; a history that grew gets
 * only its new changes and updates (or, when compaction folded them into the
 * snapshot meanwhile, the snapshot again, which Yjs merges).
 *
 * The worker has a memory ceiling: a history too large for it ends the
 * worker, not the server, and its requests fail with 503.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';
import type { BoardLimits } from './board.ts';
import { changesAfter, highestSeq, readStoredDocument, updatesAfter } from './history-reader.ts';
import { backgroundTurn } from '../threads/slices.ts';
import type { WorkerCommand, WorkerReply, WorkerRequest } from './protocol.ts';

export interface ReplayServiceOptions {
  sql: Sql;
  log: Logger;
  /** Histories kept loaded in the worker. */
  maxDocuments?: number;
  /** Stored bytes (snapshot + log) of the histories kept loaded: the worker's heap is several times this. */
  maxBytes?: number;
  /** Rows per query when reading a history. */
  pageSize?: number;
  /** The worker's heap ceiling. */
  workerMemoryMb?: number;
  /**
   * The worker stops (its histories with it) once no request has used it for
   * this long, giving back its memory: a 100,000-entry war room's history
   * holds hundreds of MB. The next request loads what it needs again.
   */
  idleMs?: number;
}

export class ReplayUnavailable extends Error {}

interface LoadedHistory {
  /** Highest seq of the changes the worker has. */
  lastSeq: number;
  /** Stored bytes handed to the worker for it. */
  bytes: number;
}

/** Emits 'reading' ({docId}) when it starts reading a stored document, 'loading' and 'loaded' around handing it to the worker. */
export class ReplayService extends EventEmitter {
  readonly #sql: Sql;
  readonly #log: Logger;
  readonly #maxDocuments: number;
  readonly #maxBytes: number;
  readonly #pageSize: number;
  readonly #workerMemoryMb: number;
  readonly #idleMs: number;
  #idleTimer: NodeJS.Timeout | null = null;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (value: string | null) => void; reject: (error: Error) => void }>();
  /** Least recently used first. */
  readonly #loaded = new Map<string, LoadedHistory>();
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(options: ReplayServiceOptions) {
    super();
    this.#sql = options.sql;
    this.#log = options.log;
    this.#maxDocuments = options.maxDocuments ?? 4;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#pageSize = options.pageSize ?? 2_000;
    this.#workerMemoryMb = options.workerMemoryMb ?? 2_048;
    this.#idleMs = options.idleMs ?? 60_000;
  }

  /** Whether the worker is running (it stops when idle). */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** The board at `at` as JSON (see engine.ts), the history brought up to date first. */
  view(docId: string, at: Date, limits: BoardLimits): Promise<string> {
    return this.#withHistory(docId, async () => (await this.#call({ type: 'view', docId, at: at.getTime(), limits }))!);
  }

  /** The slider's steps as JSON: `{changes, steps}`. */
  steps(docId: string): Promise<string> {
    return this.#withHistory(docId, async () => (await this.#call({ type: 'steps', docId }))!);
  }

  /** Stops the worker; requests in flight fail. The next request starts a new one. */
  async close(): Promise<void> {
    this.#stopIdleTimer();
    const worker = this.#worker;
    this.#worker = null;
    this.#loaded.clear();
    this.#failAll(new ReplayUnavailable('replay is shutting down'));
    await worker?.terminate();
  }

  /** One request per history at a time: two readers of one war room share a single load. */
  #withHistory<T>(docId: string, read: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(docId) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(async () => {
      try {
        await this.#bringUpToDate(docId);
        return await read();
      } catch (error) {
        // Whatever the worker holds for it is suspect now: the next request loads it afresh.
        this.#forget(docId);
        throw error;
      }
    });
    this.#locks.set(docId, run);
    this.#stopIdleTimer();
    void run.catch(() => {}).finally(() => {
      if (this.#locks.get(docId) === run) this.#locks.delete(docId);
      if (this.#locks.size === 0) this.#startIdleTimer();
    });
    return run;
  }

  #stopIdleTimer(): void {
    clearTimeout(this.#idleTimer ?? undefined);
    this.#idleTimer = null;
  }

  #startIdleTimer(): void {
    this.#stopIdleTimer();
    if (!this.#worker) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      // A history being dropped still has its answer to come: look again after another idle spell.
      if (this.#pending.size > 0) return this.#startIdleTimer();
      const worker = this.#worker;
      // Cleared first: its exit is then not a failure (see #ensureWorker).
      this.#worker = null;
      this.#loaded.clear();
      worker?.terminate().catch((error) => this.#log.warn({ err: error }, 'the idle replay worker did not stop cleanly'));
    }, this.#idleMs);
    this.#idleTimer.unref();
  }

  async #bringUpToDate(docId: string): Promise<void> {
    const newest = await highestSeq(this.#sql, docId);
    const known = this.#loaded.get(docId);
    if (known) {
      this.#loaded.delete(docId);
      this.#loaded.set(docId, known);
      if (known.lastSeq < newest) {
        await this.#catchUp(docId, known, newest);
        this.#makeRoom(docId, this.#maxDocuments);
      }
      return;
    }
    this.#makeRoom(docId, this.#maxDocuments - 1);
    const history: LoadedHistory = { lastSeq: 0, bytes: 0 };
    await this.#call({ type: 'reset', docId });
    this.#loaded.set(docId, history);
    // Changes first, then the document: the document then holds at least every change listed.
    history.lastSeq = (await this.#sendChanges(docId, 0, Number.MAX_SAFE_INTEGER)).last;
    history.bytes = await this.#sendStoredDocument(docId);
    this.#makeRoom(docId, this.#maxDocuments);
  }

  /**
   * Drops the least recently used histories, other than `keep` and those a
   * request is using right now, until at most `count` are loaded and their
   * bytes fit the budget.
   */
  #makeRoom(keep: string, count: number): void {
    const bytes = () => [...this.#loaded.values()].reduce((sum, history) => sum + history.bytes, 0);
    for (const docId of [...this.#loaded.keys()]) {
      if (this.#loaded.size <= count && bytes() <= this.#maxBytes) return;
      if (docId !== keep && !this.#locks.has(docId)) this.#forget(docId);
    }
  }

  /** New changes, and the updates that made them; the snapshot again when compaction took their bytes. */
  async #catchUp(docId: string, history: LoadedHistory, newest: number): Promise<void> {
    const from = history.lastSeq;
    const { last: upTo, count: listed } = await this.#sendChanges(docId, from, newest);
    let sent = 0;
    for (let after = from; ; ) {
      const rows = await updatesAfter(this.#sql, docId, after, upTo, this.#pageSize);
      if (rows.length === 0) break;
      await this.#call({ type: 'updates', docId, updates: rows.map((r) => r.update) });
      sent += rows.length;
      history.bytes += rows.reduce((sum, row) => sum + row.update.byteLength, 0);
      after = rows[rows.length - 1].seq;
      if (rows.length < this.#pageSize) break;
    }
    if (sent < listed) history.bytes = await this.#sendStoredDocument(docId);
    history.lastSeq = Math.max(history.lastSeq, upTo);
  }

  /** Sends the changes with from < seq ≤ upTo in pages: how many, and the highest seq sent (`from` when none). */
  async #sendChanges(docId: string, from: number, upTo: number): Promise<{ last: number; count: number }> {
    let after = from;
    let count = 0;
    for (;;) {
      await backgroundTurn();
      const changes = await changesAfter(this.#sql, docId, after, upTo, this.#pageSize);
      if (changes.length === 0) return { last: after, count };
      await this.#call({ type: 'changes', docId, changes });
      count += changes.length;
      after = changes[changes.length - 1].seq;
      if (changes.length < this.#pageSize) return { last: after, count };
    }
  }

  /** Hands the stored document to the worker (Yjs merges it with what it has); returns its size in bytes. */
  async #sendStoredDocument(docId: string): Promise<number> {
    this.emit('reading', { docId });
    const { segments, log } = await readStoredDocument(this.#sql, docId, this.#pageSize);
    this.emit('loading', { docId });
    // The segments were assembled here into buffers of their own: hand them over instead of copying them.
    const updates = [...segments, ...log];
    const bytes = updates.reduce((sum, update) => sum + update.byteLength, 0);
    await this.#call({ type: 'updates', docId, updates }, segments.map((segment) => segment.buffer as ArrayBuffer));
    this.emit('loaded', { docId });
    return bytes;
  }

  #forget(docId: string): void {
    if (!this.#loaded.delete(docId) || !this.#worker) return;
    this.#call({ type: 'drop', docId }).catch((error) => this.#log.warn({ err: error, docId }, 'replay worker could not drop a history'));
  }

  #call(command: WorkerCommand, transfer: ArrayBuffer[] = []): Promise<string | null> {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const request: WorkerRequest = { ...command, id };
      worker.postMessage(request, transfer);
    });
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: this.#workerMemoryMb } });
    // Only requests keep it busy; an idle worker must not keep the process alive.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new Error(`replay worker: ${reply.error}`));
    });
    worker.on('error', (error) => this.#log.error({ err: error }, 'the replay worker failed; its histories are dropped'));
    worker.on('exit', (code) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#loaded.clear();
      this.#failAll(new ReplayUnavailable(`the replay worker stopped (exit code ${code})`));
    });
    this.#worker = worker;
    return worker;
  }

  #failAll(error: Error): void {
    for (const { reject } of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}
