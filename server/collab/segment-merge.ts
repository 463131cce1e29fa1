/**
 * Consecutive log rows merged into segments of at most SEGMENT_INPUT_BYTES
 * each, written as runs (see update-runs.ts), in one go: what compaction
 * does, here without pauses because it runs on the update worker thread
 * (see segments.ts for when it runs in place). Rows that claim the same Yjs
 * ids end up in different segments, in log order (see claimed-ids.ts). A row
 * as large as a segment is one, as it came: merging it with the small ones
 * around it would only cost time.
 */
import { ClaimedIds, claimedBy } from './claimed-ids.ts';
import { mergeRuns } from './update-runs.ts';

/** Log bytes merged into one segment at most: merging and applying it stays well under a slice of work (see segments.ts). */
export const SEGMENT_INPUT_BYTES = 128 * 1024;

export function segmentsOf(rows: readonly Uint8Array[]): Uint8Array[] {
  const segments: Uint8Array[] = [];
  for (const group of groupsOf(rows, SEGMENT_INPUT_BYTES)) {
    segments.push(group.length === 1 && group[0].byteLength >= SEGMENT_INPUT_BYTES ? group[0] : mergeRuns(group));
  }
  return segments;
}

/**
 * Consecutive updates in groups of at most `maxBytes` (an update that large
 * is a group of its own), never two that claim the same Yjs ids in one group
 * (see claimed-ids.ts), in order.
 */
export function* groupsOf(updates: readonly Uint8Array[], maxBytes: number): Generator<Uint8Array[]> {
  let group: Uint8Array[] = [];
  let bytes = 0;
  const claimed = new ClaimedIds();
  for (const update of updates) {
    const large = update.byteLength >= maxBytes;
    const claims = large ? null : claimedBy(update);
    if (group.length > 0 && (large || bytes + update.byteLength > maxBytes || claimed.overlaps(claims!))) {
      yield group;
      group = [];
      bytes = 0;
      claimed.clear();
    }
    group.push(update);
    if (large) {
      yield group;
      group = [];
      continue;
    }
    bytes += update.byteLength;
    claimed.add(claims!);
  }
  if (group.length) yield group;
}
