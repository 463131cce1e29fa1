/**
 * What a commit batch writes to the log: one row per run of consecutive
 * changes by the same person, their updates merged. A row costs the database
 * far more than its bytes (measured: 250 one-keystroke rows took 12 ms on
 * PostgreSQL and 30 ms on PGlite, their merge as one row 1.4 to 5 ms), and a
 * burst of typing arrives as one run. Attribution stays per person, at the
 * granularity of a commit (milliseconds), with the run's first arrival time.
 * Only consecutive changes are merged, so rows stay in apply order, which is
 * a causal order (see segments.ts). Large changes (a big paste) are stored as
 * they came: merging a backlog of them cost over a second on the server's
 * thread, to save a row that costs the database almost nothing beside them.
 * Changes that claim the same Yjs ids stay apart (see claimed-ids.ts).
 */
import * as Y from 'yjs';
import { ClaimedIds } from './claimed-ids.ts';
import type { UpdateIds } from './history.ts';
import type { StoredUpdate } from './storage.ts';

/** A run stops growing at this size; a change this large is a row of its own. */
export const MERGE_BELOW_BYTES = 64 * 1024;

/** A log row and how many changes it holds. */
export type LogRow = StoredUpdate & { changes: number };

export function toLogRows(batch: readonly StoredUpdate[]): LogRow[] {
  const rows: LogRow[] = [];
  let run: StoredUpdate[] = [];
  let runBytes = 0;
  const claimed = new ClaimedIds();
  const close = () => {
    if (run.length > 0) rows.push({ ...(run.length === 1 ? run[0] : mergeRun(run)), changes: run.length });
    run = [];
    runBytes = 0;
    claimed.clear();
  };
  for (const change of batch) {
    const bytes = change.update.byteLength;
    if (run.length > 0 && (run[0].userId !== change.userId || runBytes + bytes > MERGE_BELOW_BYTES || claimed.overlaps(change.ids.i))) close();
    run.push(change);
    runBytes += bytes;
    claimed.add(change.ids.i);
  }
  close();
  return rows;
}

function mergeRun(run: StoredUpdate[]): StoredUpdate {
  const ids: UpdateIds = { i: {}, d: {} };
  for (const change of run) {
    for (const [client, [from, to]] of Object.entries(change.ids.i)) {
      const known = ids.i[client];
      ids.i[client] = known ? [Math.min(known[0], from), Math.max(known[1], to)] : [from, to];
    }
    for (const [client, ranges] of Object.entries(change.ids.d)) (ids.d[client] ??= []).push(...ranges);
  }
  return { update: Y.mergeUpdates(run.map((change) => change.update)), userId: run[0].userId, receivedAt: run[0].receivedAt, ids };
}
