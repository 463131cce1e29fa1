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
  // Requested up front, so the worker cuts the next large update while the main thread applies earlier ones.
  const large = new Map(updates.filter((update) => update.byteLength >= SPLIT_ABOVE_BYTES).map((update) => [update, splitLargeUpdates([update])[0]]));
  // Every split is awaited below or abandoned with the load; this keeps a later failure from going unhandled.
  void Promise.allSettled(large.values());
  try {
    // Segments and log are grouped apart: `segmentsSeen` wants the state after exactly the segments.
    for (const [part, isLog] of [[updates.slice(0, segmentCount), false], [updates.slice(segmentCount), true]] as const) {
      // Grouping reads each small update's ids as it goes: it too is done between pauses.
      for (const group of groupsOf(part, SPLIT_ABOVE_BYTES)) {
        const pieces = large.has(group[0]) ? await large.get(group[0])! : group.length === 1 ? group : merged(group);
        for (const piece of pieces) {
          Y.applyUpdate(doc, piece);
          await pause();
        }
      }
      if (!isLog) segmentsSeen(doc);
    }
  } catch (error) {
    doc.destroy();
    throw error;
  }
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
