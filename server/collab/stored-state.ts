/**
 * What a room knows about its document's storage: the last stored seq, the
 * committed log rows since the last compaction (kept to merge into segments
 * without re-encoding the document), the size on disk for the size budget,
 * and the stored segments with the state they cover (to stream a large
 * document to a client piece by piece): those it loaded, then those its
 * compactions wrote, so a document written live streams like a loaded one.
 */
import type { UpdateIds } from './history.ts';
import { mergeIntoSegments } from './segments.ts';
import type { DocumentStore, LoadedDocument } from './storage.ts';

export class StoredState {
  lastSeq: number;
  /** Committed log rows since the last compaction, in order, with how many changes each holds (see log-rows.ts). */
  readonly tail: { update: Uint8Array; changes: number }[];
  #tailChanges: number;
  #rowsCommitted: number;
  #segmentBytes: number;
  #tailBytes: number;
  /** The stored segments in order (loaded, then written by this room), and the state vector they give (null: not known). */
  readonly segments: Uint8Array[];
  coverage: Map<number, number> | null = null;
  /**
   * The state vector of everything stored (segments and log), kept from the
   * ids of each committed change; null once a change left structs waiting
   * for others (its ids then claim more than the document integrated).
   */
  #storedState: Map<number, number> | null = null;
  /** The compaction in flight or last run (its outcome belongs to its caller). */
  #compaction: Promise<void> = Promise.resolve();

  constructor(loaded: LoadedDocument) {
    this.lastSeq = loaded.lastSeq;
    this.segments = loaded.updates.slice(0, loaded.segmentCount);
    this.tail = loaded.updates.slice(loaded.segmentCount).map((update) => ({ update, changes: 1 }));
    this.#tailChanges = this.tail.length;
    this.#rowsCommitted = this.tail.length;
    this.#segmentBytes = this.segments.reduce((sum, s) => sum + s.byteLength, 0);
    this.#tailBytes = loaded.logBytes;
  }

  /** Records the document's state right after its segments were applied (null: some structs wait for others, see stateOf). */
  segmentsApplied(coverage: Map<number, number> | null): void {
    this.coverage = coverage;
  }

  /** The whole loaded document is applied: what is stored gives its state (null: not known exactly). */
  documentApplied(state: Map<number, number> | null): void {
    this.#storedState = state;
  }

  /** A change left structs waiting for others: the stored state is no longer known from ids (until the next load). */
  forgetState(): void {
    this.#storedState = null;
  }

  /** Log rows committed since the document was loaded, counting the loaded ones (never goes down: compactions move rows, they stay counted). */
  get rowsCommitted(): number {
    return this.#rowsCommitted;
  }

  /**
   * The committed log rows after the first `mark` that are still in the log
   * (older ones are in the segments now). With the segments they give exactly
   * the document as committed, so a client that was sent the segments needs
   * only these. Null once a change left structs waiting for others: the
   * stored state is then not known exactly.
   */
  rowsAfter(mark: number): Uint8Array[] | null {
    if (!this.#storedState) return null;
    const count = Math.max(0, Math.min(this.tail.length, this.#rowsCommitted - mark));
    return this.tail.slice(this.tail.length - count).map((row) => row.update);
  }

  /** Changes committed since the last compaction (a reloaded row counts as one). */
  get logCount(): number {
    return this.#tailChanges;
  }

  get logBytes(): number {
    return this.#tailBytes;
  }

  /** Bytes the document takes in storage. */
  get bytes(): number {
    return this.#segmentBytes + this.#tailBytes;
  }

  committed(lastSeq: number, rows: { update: Uint8Array; changes: number; ids: UpdateIds }[]): void {
    this.lastSeq = lastSeq;
    for (const { update, changes, ids } of rows) {
      this.tail.push({ update, changes });
      this.#rowsCommitted++;
      this.#tailChanges += changes;
      this.#tailBytes += update.byteLength;
      if (!this.#storedState) continue;
      // The ids of a change applied whole are the clocks the document advanced by, so the state follows them exactly.
      for (const [client, [, to]] of Object.entries(ids.i)) {
        const known = this.#storedState.get(Number(client)) ?? 0;
        if (to > known) this.#storedState.set(Number(client), to);
      }
    }
  }

  /**
   * Merges the committed log into snapshot segments and moves it into
   * history. Only the log since the last compaction is merged (in slices,
   * while commits go on), never the whole document; `between` runs the write
   * between commit batches.
   *
   * Compactions of one document run one after another. Two at once (the one
   * a commit past the threshold starts, and the one on unload) would both
   * take the same rows from the tail while the first was still merging, and
   * the second would store the same segments again: a duplicate key, or
   * the rows twice and the tail's counts wrong.
   */
  compact(docId: string, store: DocumentStore, between: (write: () => Promise<void>) => Promise<void>): Promise<void> {
    const run = () => this.#compactTail(docId, store, between);
    const next = this.#compaction.then(run, run);
    this.#compaction = next;
    return next;
  }

  async #compactTail(docId: string, store: DocumentStore, between: (write: () => Promise<void>) => Promise<void>): Promise<void> {
    if (this.tail.length === 0) return;
    const rows = this.tail.slice();
    const coversSeq = this.lastSeq;
    // What all the segments will give once these rows are among them.
    const covers = this.#storedState && new Map(this.#storedState);
    const segments = await mergeIntoSegments(rows.map((row) => row.update));
    // The rows' attribution goes into history first, while commits go on; only what must be atomic waits for them.
    await store.archive?.(docId, coversSeq);
    await between(async () => {
      await store.compact(docId, segments, coversSeq);
      for (const row of this.tail.splice(0, rows.length)) {
        this.#tailBytes -= row.update.byteLength;
        this.#tailChanges -= row.changes;
      }
      this.#segmentBytes += segments.reduce((sum, s) => sum + s.byteLength, 0);
      this.segments.push(...segments);
      // Unknown this time: the last known state still holds for the segments before these, a smaller start for the final diff.
      if (covers) this.coverage = covers;
    });
  }
}
