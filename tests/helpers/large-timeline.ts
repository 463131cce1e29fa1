/**
 * A war room with a very large timeline, written the cheap way: through the
 * collaboration server (so the stored log, history and snapshot are exactly
 * what production writes) in changes of many entries each, then compacted and
 * re-dated so the changes spread over the incident like real ones would.
 * Shared by the replay tests and `npm run bench -- replay`; no test framework here.
 */
import * as Y from 'yjs';
import type { Sql } from '../../server/db/sql.ts';
import { addTimelineEntry, TIMELINE_KINDS } from '../../server/shared/war-room-doc.ts';
import type { TestServer } from './server.ts';

/** Collab options for a server about to be filled: no compaction until fillTimeline's own at the end. */
export const LARGE_DOCUMENT_COLLAB = { compactAfterBytes: 1024 * 1024 * 1024, compactAfterUpdates: 1_000_000 };

export interface LargeTimeline {
  entries: number;
  /** Entries written by each stored change. */
  perChange: number;
  /** Changes are re-dated evenly from `start` over `spanMs`. */
  start: Date;
  spanMs: number;
  author: { id: string; name: string };
}

export async function fillTimeline(server: TestServer, sql: Sql, docId: string, options: LargeTimeline): Promise<{ changes: number }> {
  const { entries, perChange, start, spanMs, author } = options;
  const [{ before }] = await sql<{ before: number }>`
    select coalesce(greatest((select max(seq) from document_updates where doc_id = ${docId}),
                             (select max(seq) from document_history where doc_id = ${docId})), 0)::int as before`;
  let written = 0;
  let changes = 0;
  while (written < entries) {
    const count = Math.min(perChange, entries - written);
    const first = written;
    // Written as a client would (new entries need nothing of the document), so a room that moved its document
    // to the document thread takes them like any other: a closure could not reach it there.
    const writer = new Y.Doc();
    let update: Uint8Array | null = null;
    writer.on('update', (written: Uint8Array) => (update = written));
    writer.transact(() => {
      for (let n = first; n < first + count; n++) {
        const at = new Date(start.getTime() + Math.floor((n / entries) * spanMs)).toISOString();
        addTimelineEntry(writer, { at, kind: TIMELINE_KINDS[n % TIMELINE_KINDS.length], text: `Entry ${n}: disk pressure on node-${n % 97}`, author, hypothesisId: null });
      }
    });
    writer.destroy();
    await server.collab.applyUpdate(docId, author.id, update!);
    written += count;
    changes++;
  }
  // Fold the log into the snapshot, as an idle room does, so every change is dated in one table.
  const room = server.collab.loadedRoom(docId);
  if (room) {
    await room.flush();
    await room.compact();
  }
  const step = Math.max(1, Math.floor(spanMs / changes));
  await sql`
    update document_history set created_at = ${start}::timestamptz + ((seq - ${before}) * ${step}) * interval '1 millisecond'
    where doc_id = ${docId} and seq > ${before}`;
  await sql`
    update document_updates set created_at = ${start}::timestamptz + ((seq - ${before}) * ${step}) * interval '1 millisecond'
    where doc_id = ${docId} and seq > ${before}`;
  return { changes };
}
