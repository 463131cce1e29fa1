/**
 * Large documents without long pauses. Yjs work on a whole document is one
 * synchronous call (a 100,000-entry war room takes over a second to apply and
 * ~0.5 s to encode), during which the server answers nobody. So documents are
 * stored as segments of bounded size in log order, applied one at a time
 * with the event loop free in between, and compaction only merges the new
 * log rows into new segments instead of re-encoding the whole document.
 * Log order is a causal order, so every segment applies completely.
 */
import * as Y from 'yjs';
import { ClaimedIds, claimedBy } from './claimed-ids.ts';
import { splitLargeUpdates } from './split-off-thread.ts';
import { SPLIT_ABOVE_BYTES } from './update-pieces.ts';
import { mergeRuns } from './update-runs.ts';

/** Work done in one go before letting other requests in. */
const SLICE_MS = 15;
/** Log bytes merged into one segment at most: merging and applying it stays well under the slice budget. */
export const SEGMENT_INPUT_BYTES = 128 * 1024;

const breather = () => new Promise((resolve) => setImmediate(resolve));

/** A clock that says when the current slice of work is used up. */
export function slicer(ms = SLICE_MS) {
  let started = performance.now();
  return async () => {
    if (performance.now() - started < ms) return;
    await breather();
    started = performance.now();
  };
}

/**
 * The server's copy keeps deleted content (gc off) so history can rebuild past
 * versions. One transaction per update: measured 3-4x faster for a 10,000-row
 * log than wrapping them all in one (Yjs's cleanup grows with the transaction).
 * Consecutive small updates are merged first, into runs (see update-runs.ts):
 * a log of keystrokes applies as a few long items instead of thousands of
 * one-character ones, which was most of a restarted server's first sync.
 * A large update (a segment, or a row holding a big paste) is applied in
 * pieces a worker thread cuts while earlier ones are applied: one whole
 * 1,000-entry row held the event loop for 50 ms to over a second.
 * `segmentsSeen` is called once the first `segmentCount` updates are applied.
 */
export async function buildDoc(updates: Uint8Array[], segmentCount: number, segmentsSeen: (doc: Y.Doc) => void): Promise<Y.Doc> {
  const doc = new Y.Doc({ gc: false });
  const pause = slicer();
  // Segments and log are grouped apart: `segmentsSeen` wants the state after exactly the segments.
  const groups = [...groupsOf(updates.slice(0, segmentCount), SPLIT_ABOVE_BYTES), ...groupsOf(updates.slice(segmentCount), SPLIT_ABOVE_BYTES)];
  let segmentGroups = 0;
  for (let seen = 0; seen < segmentCount; segmentGroups++) seen += groups[segmentGroups].length;
  // A group of one update is applied as it is, or in pieces the worker cuts if it is large; the others are merged here.
  const split = groups.map((group) => (group.length === 1 ? splitLargeUpdates(group)[0] : null));
  // Every split is awaited below or abandoned with the load; this keeps a later failure from going unhandled.
  void Promise.allSettled(split);
  try {
    for (const [i, group] of groups.entries()) {
      if (i === segmentGroups) segmentsSeen(doc);
      for (const piece of split[i] ? await split[i] : merged(group)) {
        Y.applyUpdate(doc, piece);
        await pause();
      }
    }
  } catch (error) {
    doc.destroy();
    throw error;
  }
  if (segmentGroups >= groups.length) segmentsSeen(doc);
  return doc;
}

/** A group as one update, or as it came if Yjs cannot merge it: applying those one by one says what is wrong with them. */
function merged(group: Uint8Array[]): Uint8Array[] {
  try {
    return [mergeRuns(group)];
  } catch {
    return group;
  }
}

/**
 * Consecutive updates in groups of at most `maxBytes` (an update that large
 * is a group of its own), never two that claim the same Yjs ids in one group
 * (see claimed-ids.ts), in order.
 */
function* groupsOf(updates: Uint8Array[], maxBytes: number): Generator<Uint8Array[]> {
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

/**
 * Merges consecutive log rows into segments of at most SEGMENT_INPUT_BYTES
 * each, written as runs (see update-runs.ts), pausing between them. Rows that
 * claim the same Yjs ids end up in different segments, in log order (see
 * claimed-ids.ts). A row as large as a segment is one, as it came: merging it
 * with the small ones around it would only cost time.
 */
export async function mergeIntoSegments(rows: Uint8Array[]): Promise<Uint8Array[]> {
  const segments: Uint8Array[] = [];
  for (const group of groupsOf(rows, SEGMENT_INPUT_BYTES)) {
    if (segments.length > 0) await breather();
    segments.push(group.length === 1 && group[0].byteLength >= SEGMENT_INPUT_BYTES ? group[0] : mergeRuns(group));
  }
  return segments;
}
