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
import { groupsOf, SEGMENT_INPUT_BYTES, segmentsOf } from './segment-merge.ts';
import { SPLIT_ABOVE_BYTES } from './update-pieces.ts';
import { mergeRuns } from './update-runs.ts';
import { mergeOffThreadIntoSegments, splitLargeUpdates } from './updates-off-thread.ts';
import { slicer } from '../threads/slices.ts';

export { SEGMENT_INPUT_BYTES } from './segment-merge.ts';

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
        const pieces = large.has(group[0]) ? await large.get(group[0])! : merged(group);
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

/**
 * The same, at once: for the document thread (document-thread.ts), which
 * holds no event loop anyone else waits on. Returns the state the first
 * `segmentCount` updates gave (null when some of their structs wait for
 * others: see stored-state.ts).
 */
export function buildDocAtOnce(updates: Uint8Array[], segmentCount: number): { doc: Y.Doc; coverage: Map<number, number> | null } {
  const doc = new Y.Doc({ gc: false });
  try {
    for (const group of groupsOf(updates.slice(0, segmentCount), SPLIT_ABOVE_BYTES)) for (const piece of merged(group)) Y.applyUpdate(doc, piece);
    const coverage = stateOf(doc);
    for (const group of groupsOf(updates.slice(segmentCount), SPLIT_ABOVE_BYTES)) for (const piece of merged(group)) Y.applyUpdate(doc, piece);
    return { doc, coverage };
  } catch (error) {
    doc.destroy();
    throw error;
  }
}

/** Whether some of the document's structs or deletions wait for others it has not seen. */
export function isPending(doc: Y.Doc): boolean {
  return Boolean(doc.store.pendingStructs || doc.store.pendingDs);
}

/** The document's state vector, or null while some structs wait for others (it would claim what is not integrated). */
export function stateOf(doc: Y.Doc): Map<number, number> | null {
  return isPending(doc) ? null : Y.decodeStateVector(Y.encodeStateVector(doc));
}

/** A group as one update, or as it came if Yjs cannot merge it: applying those one by one says what is wrong with them. */
function merged(group: Uint8Array[]): Uint8Array[] {
  if (group.length === 1) return group;
  try {
    return [mergeRuns(group)];
  } catch {
    return group;
  }
}

/**
 * The log rows merged into segments (see segment-merge.ts): in place when
 * they are few, else on the update worker thread. Parsing and merging a
 * compaction's worth of large rows took up to a second on this thread.
 */
export async function mergeIntoSegments(rows: Uint8Array[]): Promise<Uint8Array[]> {
  const bytes = rows.reduce((sum, row) => sum + row.byteLength, 0);
  return bytes < SEGMENT_INPUT_BYTES ? segmentsOf(rows) : mergeOffThreadIntoSegments(rows);
}
