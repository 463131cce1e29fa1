/**
 * Replaying a live document as it was at any server time: "what did we know
 * at each moment".
 *
 * Approach: the raw update bytes of old changes are gone after compaction
 * (only their id ranges survive, in document_history), so replaying bytes up
 * to `at` cannot work in general. Instead we load the current full document
 * (snapshot + log) with gc off — the server never garbage-collects, so every
 * deleted item is still there with its content — and ask Yjs for the version
 * defined by the id ranges of the changes accepted at or before `at`
 * (version-at.ts): Y.createDocFromSnapshot(full, snapshot). The result is the
 * same whether or not compaction happened, and equals replaying the raw log
 * up to `at` when the log is still whole (tests check both).
 *
 * Scrubbing a slider asks for many moments of one document, so the loaded
 * document and its change list are cached (small LRU). An entry is reused as
 * long as the document's highest seq is unchanged: every accepted change gets
 * a new, higher seq, and compaction moves rows without changing seqs or
 * content, so "same max seq" means "same history".
 */
import * as Y from 'yjs';
import { listChanges, type Change } from '../collab/history.ts';
import { sqlDocumentStore } from '../collab/storage.ts';
import type { Sql } from '../db/sql.ts';
import { toYSnapshot, versionAt } from './version-at.ts';

interface Loaded {
  sql: Sql;
  lastSeq: number;
  doc: Y.Doc;
  stateVector: Map<number, number>;
  /** Oldest first by server time (seq breaks ties). */
  changes: Change[];
}

export class ReplayCache {
  readonly #max: number;
  /** Insertion order is recency: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Promise<Loaded>>();

  constructor(max = 8) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The loaded document, from the cache when its history has not grown since. */
  async get(sql: Sql, docId: string): Promise<Loaded> {
    const cached = this.#entries.get(docId);
    if (cached) {
      const [entry, lastSeq] = await Promise.all([cached.catch(() => null), highestSeq(sql, docId)]);
      if (entry && entry.sql === sql && entry.lastSeq === lastSeq && this.#entries.get(docId) === cached) {
        this.#entries.delete(docId);
        this.#entries.set(docId, cached);
        return entry;
      }
      if (this.#entries.get(docId) === cached) this.#drop(docId);
    }
    const loading = loadFull(sql, docId);
    this.#entries.set(docId, loading);
    loading.catch(() => {
      if (this.#entries.get(docId) === loading) this.#entries.delete(docId);
    });
    while (this.#entries.size > this.#max) this.#drop(this.#entries.keys().next().value!);
    return loading;
  }

  clear(): void {
    for (const docId of [...this.#entries.keys()]) this.#drop(docId);
  }

  #drop(docId: string): void {
    const entry = this.#entries.get(docId);
    this.#entries.delete(docId);
    // Destroy only after any replay using it has finished its synchronous work (it never awaits while holding it).
    entry?.then((loaded) => loaded.doc.destroy()).catch(() => {});
  }
}

const defaultCache = new ReplayCache();

async function highestSeq(sql: Sql, docId: string): Promise<number> {
  const [row] = await sql<{ seq: number | string | null }>`
    select greatest(
      (select max(seq) from document_updates where doc_id = ${docId}),
      (select max(seq) from document_history where doc_id = ${docId})) as seq`;
  return Number(row?.seq ?? 0);
}

async function loadFull(sql: Sql, docId: string): Promise<Loaded> {
  // Changes first, then the document: the document then holds at least every
  // change listed (a change committed in between is only extra content, which
  // no version built from the list refers to).
  const changes = await listChanges(sql, docId);
  const loaded = await sqlDocumentStore(sql).load(docId);
  const doc = new Y.Doc({ gc: false });
  // One transaction per update, as the room does (Yjs's cleanup grows with the transaction).
  for (const update of loaded.updates) Y.applyUpdate(doc, update);
  changes.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq);
  return {
    sql,
    lastSeq: changes.reduce((max, change) => Math.max(max, Number(change.seq)), 0),
    doc,
    stateVector: Y.decodeStateVector(Y.encodeStateVector(doc)),
    changes,
  };
}

/** Changes made at or before `at`, found by binary search in the time-sorted list. */
function changesUpTo(changes: Change[], at: Date): Change[] {
  const limit = at.getTime();
  let low = 0;
  let high = changes.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (changes[mid].createdAt.getTime() <= limit) low = mid + 1;
    else high = mid;
  }
  return changes.slice(0, low);
}

/**
 * A new Y.Doc holding the document as it was at server time `at` (the
 * caller owns it and should destroy it). Before the first change: empty.
 */
export async function replayDocumentAt(sql: Sql, docId: string, at: Date, options: { cache?: ReplayCache } = {}): Promise<Y.Doc> {
  const loaded = await (options.cache ?? defaultCache).get(sql, docId);
  const snapshot = toYSnapshot(versionAt(changesUpTo(loaded.changes, at), at), loaded.stateVector);
  return Y.createDocFromSnapshot(loaded.doc, snapshot);
}

export interface ChangeMoment {
  at: Date;
  /** null for changes the server made itself. */
  userId: string | null;
}

/** Every moment the document changed, oldest first: a slider's tick marks. */
export async function replayTimeline(sql: Sql, docId: string, options: { cache?: ReplayCache } = {}): Promise<ChangeMoment[]> {
  const loaded = await (options.cache ?? defaultCache).get(sql, docId);
  return loaded.changes.map((change) => ({ at: change.createdAt, userId: change.userId }));
}
