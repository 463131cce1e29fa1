/**
 * The postmortem reads the war room in slices (so a 100,000-entry timeline
 * never holds the server's thread); it must read exactly what readTimeline
 * reads, in the same order, whatever order and form clients wrote entries in.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { liveDocuments } from '../../server/documents/live-documents.ts';
import { sortInSlices } from '../../server/postmortem/sort-in-slices.ts';
import { readWarRoomInSlices } from '../../server/postmortem/war-room-read.ts';
import { addTimelineEntry, readHypotheses, readTimeline, removeTimelineEntry, timelineMap, addHypothesis } from '../../server/shared/war-room-doc.ts';

/** The app's own adapter over a room that hands the loaded document to each change. */
const liveOf = (doc: Y.Doc) => liveDocuments({ changeDocument: async (_docId, _userId, change) => change(doc), reauthorize: async () => {} });

const START = Date.UTC(2026, 2, 12, 14, 0);

function warRoom(count: number): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  const author = { id: 'u1', name: 'Ana' };
  let seed = 12345;
  const int = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  addHypothesis(doc, { statement: 'The cache', owner: null, by: author });
  for (let i = 0; i < count; i += 1_000) {
    doc.transact(() => {
      for (let j = i; j < Math.min(count, i + 1_000); j++) {
        // Few distinct times, so many ties; some backfilled far back, some in forms a client may write.
        const ms = START + int(50) * 60_000 - (int(10) === 0 ? int(1_000) * 60_000 : 0);
        const form = int(25);
        const iso = new Date(ms).toISOString();
        const at = [iso.replace('.000Z', 'Z'), iso.slice(0, 10), iso.replace('.000Z', '+00:00'), iso.replace('T', ' ')][form] ?? iso;
        const id = addTimelineEntry(doc, { at, kind: 'note', text: `Entry ${j}`, author, hypothesisId: null });
        const entry = timelineMap(doc).get(id)!;
        // Written at a random time, not in insertion order, so the sort has real work.
        entry.set('createdAt', int(30) === 0 ? 'not a time' : new Date(START + int(count) * 1_000).toISOString());
        if (int(15) === 0) removeTimelineEntry(doc, id, author);
      }
      timelineMap(doc).set(`junk-${i}`, 'not a map' as never);
    });
  }
  return doc;
}

describe('reading the war room in slices', () => {
  it('reads the same entries in the same order as readTimeline', async () => {
    const doc = warRoom(30_000);
    const read = await readWarRoomInSlices(liveOf(doc), 'war-room');
    expect(read.timeline).toEqual(readTimeline(doc));
    expect(read.hypotheses).toEqual(readHypotheses(doc));
  });

  it('sorts as a stable Array.prototype.sort does, across run and merge boundaries', async () => {
    for (const size of [0, 1, 2_047, 2_048, 2_049, 10_000, 33_333]) {
      const items = Array.from({ length: size }, (_, i) => ({ key: (i * 7_919) % 97, i }));
      const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;
      expect(await sortInSlices(items, byKey, async () => {})).toEqual([...items].sort(byKey));
    }
  });
});
