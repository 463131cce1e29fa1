/**
 * Which Yjs ids made up a document at a given server time, from the per-change
 * id ranges the collaboration server records (document_history ∪
 * document_updates, see migration 002). Pure: no database, no Y.Doc.
 *
 * A version is what Yjs calls a snapshot: a state vector (per client, the
 * clock after the last item inserted by then) plus a delete set (every range
 * deleted by then). Because the server's Y.Doc keeps deleted content, that
 * pair is enough for Y.createDocFromSnapshot to rebuild the past document.
 */
import * as Y from 'yjs';
import type { UpdateIds } from '../collab/history.ts';

export interface TimedChange {
  createdAt: Date;
  ids: UpdateIds;
}

export interface Version {
  /** Client → clock after its last item inserted up to the moment. */
  stateVector: Map<number, number>;
  /** Client → deleted [clock, len] ranges, sorted by clock and merged. */
  deleted: Map<number, [number, number][]>;
}

/**
 * The version made of every change the server accepted at or before `at`.
 * One client's clocks are sequential and the server integrates them in order,
 * so the highest end seen is that client's prefix. (An update parked as
 * pending by Yjs could in theory lie beyond a gap; the caller clamps the
 * vector to what the loaded document really holds.)
 */
export function versionAt(changes: Iterable<TimedChange>, at: Date): Version {
  const limit = at.getTime();
  const stateVector = new Map<number, number>();
  const ranges = new Map<number, [number, number][]>();
  for (const change of changes) {
    if (change.createdAt.getTime() > limit) continue;
    for (const [client, [, to]] of Object.entries(change.ids.i)) {
      const id = Number(client);
      if (to > (stateVector.get(id) ?? 0)) stateVector.set(id, to);
    }
    for (const [client, items] of Object.entries(change.ids.d)) {
      const id = Number(client);
      let list = ranges.get(id);
      if (!list) ranges.set(id, (list = []));
      for (const [clock, len] of items) if (len > 0) list.push([clock, len]);
    }
  }
  const deleted = new Map<number, [number, number][]>();
  for (const [client, list] of ranges) if (list.length > 0) deleted.set(client, mergeRanges(list));
  return { stateVector, deleted };
}

/** Sorted, with overlapping and touching ranges joined: Yjs binary-searches delete sets and expects this shape. */
export function mergeRanges(ranges: readonly [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [clock, len] of sorted) {
    const last = merged[merged.length - 1];
    if (last && clock <= last[0] + last[1]) last[1] = Math.max(last[1], clock + len - last[0]);
    else merged.push([clock, len]);
  }
  return merged;
}

/**
 * The version as a Y.Snapshot, limited to what `available` (the source
 * document's state vector) holds, so createDocFromSnapshot never looks for
 * items the loaded document does not have.
 */
export function toYSnapshot(version: Version, available: Map<number, number>): Y.Snapshot {
  const sv = new Map<number, number>();
  for (const [client, clock] of version.stateVector) {
    const clamped = Math.min(clock, available.get(client) ?? 0);
    if (clamped > 0) sv.set(client, clamped);
  }
  const ds = Y.createDeleteSet();
  // Yjs does not export DeleteItem's constructor; the class is a plain {clock, len} record.
  for (const [client, list] of version.deleted) ds.clients.set(client, list.map(([clock, len]) => ({ clock, len })));
  return Y.createSnapshot(ds, sv);
}
