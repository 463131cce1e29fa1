/**
 * A document's changes in server-time order, with checkpoints, so the version
 * (state vector + delete set, see version-at.ts) after any number of changes
 * is built from the nearest checkpoint below it plus at most CHECKPOINT_EVERY
 * changes, instead of from every change since the incident began. Also
 * answers "when was this Yjs item written" for any item id. Pure: no Y.Doc,
 * no database.
 *
 * Changes arrive mostly in order (new ones are newer); one that sorts earlier
 * (a clock step back, or a test re-dating rows) drops the checkpoints after
 * it, which are rebuilt on the next request.
 */
import type { Change } from '../collab/history.ts';
import { mergeRanges, type Version } from './version-at.ts';

export const CHECKPOINT_EVERY = 512;

export interface IndexedChange {
  seq: number;
  userId: string | null;
  /** Server time, ms since the epoch. */
  at: number;
  ids: Change['ids'];
}

interface InsertedRange {
  from: number;
  to: number;
  at: number;
}

const byTime = (a: IndexedChange, b: IndexedChange) => a.at - b.at || a.seq - b.seq;

function copyVersion(version: Version): Version {
  const deleted = new Map<number, [number, number][]>();
  for (const [client, ranges] of version.deleted) deleted.set(client, ranges.slice());
  return { stateVector: new Map(version.stateVector), deleted };
}

/** Adds changes to a version in place; clients whose deletions grew are merged once at the end. */
function extend(version: Version, changes: readonly IndexedChange[]): void {
  const touched = new Set<number>();
  for (const change of changes) {
    for (const [client, [, to]] of Object.entries(change.ids.i)) {
      const id = Number(client);
      if (to > (version.stateVector.get(id) ?? 0)) version.stateVector.set(id, to);
    }
    for (const [client, items] of Object.entries(change.ids.d)) {
      const id = Number(client);
      let list = version.deleted.get(id);
      if (!list) version.deleted.set(id, (list = []));
      for (const [clock, len] of items) if (len > 0) list.push([clock, len]);
      touched.add(id);
    }
  }
  for (const client of touched) {
    const merged = mergeRanges(version.deleted.get(client)!);
    if (merged.length > 0) version.deleted.set(client, merged);
    else version.deleted.delete(client);
  }
}

export class VersionIndex {
  readonly #every: number;
  /** Oldest first by server time (seq breaks ties). */
  readonly #changes: IndexedChange[] = [];
  /** #checkpoints[n] is the version after the first n × #every changes. */
  readonly #checkpoints: Version[] = [{ stateVector: new Map(), deleted: new Map() }];
  readonly #inserted = new Map<number, InsertedRange[]>();
  #insertedSorted = true;

  constructor(every = CHECKPOINT_EVERY) {
    this.#every = every;
  }

  get size(): number {
    return this.#changes.length;
  }

  get changes(): readonly IndexedChange[] {
    return this.#changes;
  }

  add(changes: readonly IndexedChange[]): void {
    if (changes.length === 0) return;
    const last = this.#changes[this.#changes.length - 1];
    const sorted = [...changes].sort(byTime);
    let firstChanged = this.#changes.length;
    if (last && byTime(sorted[0], last) < 0) {
      this.#changes.push(...sorted);
      this.#changes.sort(byTime);
      firstChanged = this.#changes.findIndex((c) => byTime(c, sorted[0]) >= 0);
    } else {
      this.#changes.push(...sorted);
    }
    // Checkpoint n covers changes [0, n × every): those past the first changed one are stale.
    this.#checkpoints.length = Math.min(this.#checkpoints.length, Math.floor(firstChanged / this.#every) + 1);
    for (const change of sorted) {
      for (const [client, [from, to]] of Object.entries(change.ids.i)) {
        if (to <= from) continue;
        const id = Number(client);
        let list = this.#inserted.get(id);
        if (!list) this.#inserted.set(id, (list = []));
        const previous = list[list.length - 1];
        if (previous && previous.from > from) this.#insertedSorted = false;
        list.push({ from, to, at: change.at });
      }
    }
  }

  /** How many changes the server accepted at or before `at` (ms). */
  countAt(at: number): number {
    let low = 0;
    let high = this.#changes.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#changes[mid].at <= at) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The version after the first `count` changes, from the nearest checkpoint. */
  versionAfter(count: number): Version {
    const wanted = Math.max(0, Math.min(count, this.#changes.length));
    const slot = Math.floor(wanted / this.#every);
    while (this.#checkpoints.length <= slot) {
      const n = this.#checkpoints.length;
      const next = copyVersion(this.#checkpoints[n - 1]);
      extend(next, this.#changes.slice((n - 1) * this.#every, n * this.#every));
      this.#checkpoints.push(next);
    }
    const version = copyVersion(this.#checkpoints[slot]);
    extend(version, this.#changes.slice(slot * this.#every, wanted));
    return version;
  }

  /** Server time (ms) of the change that inserted the item with this id, or null when no listed change did. */
  writtenAt(client: number, clock: number): number | null {
    const list = this.#inserted.get(client);
    if (!list) return null;
    if (!this.#insertedSorted) {
      for (const ranges of this.#inserted.values()) ranges.sort((a, b) => a.from - b.from);
      this.#insertedSorted = true;
    }
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const range = list[mid];
      if (clock < range.from) high = mid - 1;
      else if (clock >= range.to) low = mid + 1;
      else return range.at;
    }
    return null;
  }
}
