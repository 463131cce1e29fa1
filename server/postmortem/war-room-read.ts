/**
 * Reads what the postmortem draft needs from the war room without holding
 * the server's thread: a war room can hold 100,000 timeline entries, and
 * reading and sorting them in one go took 150-300 ms during which every
 * other request and war room waited.
 *
 * The entries are read a slice at a time after the document is loaded, so an
 * edit landing between slices may or may not be seen, as if the draft had
 * been read a moment earlier or later; each entry is read whole, in one turn.
 * The result is what readTimeline (server/shared/war-room-doc.ts) returns:
 * the same entries in the same order.
 */
import * as Y from 'yjs';
import { slicer } from '../threads/slices.ts';
import type { LiveDocuments } from '../incidents/live.ts';
import { isCanonicalTime } from '../shared/text-order.ts';
import { readHypotheses, timelineMap, timelineOrder, toTimelineEntry, type Hypothesis, type TimelineEntry } from '../shared/war-room-doc.ts';
import { sortInSlices } from './sort-in-slices.ts';

interface Keyed {
  entry: TimelineEntry;
  /** Time then creation time, when both are canonical (fixed width): comparing keys as code units is then `timelineOrder`. */
  key: string | null;
}

function compareKeyed(a: Keyed, b: Keyed): number {
  if (a.key !== null && b.key !== null) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  return timelineOrder(a.entry, b.entry);
}

export async function readWarRoomInSlices(live: LiveDocuments, docId: string): Promise<{ hypotheses: Hypothesis[]; timeline: TimelineEntry[] }> {
  // The iterator walks the live map: the entries are read below, between pauses.
  const { hypotheses, entries } = await live.readDocument(docId, (doc) => ({ hypotheses: readHypotheses(doc), entries: timelineMap(doc).entries() }));
  const pause = slicer();
  const read: Keyed[] = [];
  let sincePause = 0;
  for (const [id, value] of entries) {
    const entry = value instanceof Y.Map ? toTimelineEntry(id, value) : null;
    if (entry) read.push({ entry, key: isCanonicalTime(entry.at) && isCanonicalTime(entry.createdAt) ? entry.at + entry.createdAt : null });
    if (++sincePause === 512) {
      sincePause = 0;
      await pause();
    }
  }
  const sorted = await sortInSlices(read, compareKeyed, pause);
  return { hypotheses, timeline: sorted.map((k) => k.entry) };
}
