/**
 * Consecutive log rows merged into segments of about SEGMENT_INPUT_BYTES
 * each, in one go: what compaction does, here without pauses because it runs
 * on the update worker thread (see segments.ts for when it runs in place).
 * Rows that claim the same Yjs ids end up in different segments, in log
 * order (see claimed-ids.ts).
 */
import * as Y from 'yjs';
import { ClaimedIds, claimedBy } from './claimed-ids.ts';

/** Log bytes merged into one segment: merging and applying it stays well under a slice of work (see segments.ts). */
export const SEGMENT_INPUT_BYTES = 128 * 1024;

export function segmentsOf(rows: readonly Uint8Array[]): Uint8Array[] {
  const segments: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let bytes = 0;
  const claimed = new ClaimedIds();
  const close = () => {
    segments.push(group.length === 1 ? group[0] : Y.mergeUpdates(group));
    group = [];
    bytes = 0;
    claimed.clear();
  };
  for (const row of rows) {
    const claims = claimedBy(row);
    // A row as large as a segment is one: merging it with the small ones before it would only cost time.
    if (group.length > 0 && (row.byteLength >= SEGMENT_INPUT_BYTES || claimed.overlaps(claims))) close();
    group.push(row);
    bytes += row.byteLength;
    claimed.add(claims);
    if (bytes >= SEGMENT_INPUT_BYTES) close();
  }
  if (group.length) close();
  return segments;
}
