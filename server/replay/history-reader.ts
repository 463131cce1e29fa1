/**
 * Reads a war room's stored history for the replay, in pieces small enough
 * that no single query holds the main thread for long: with embedded PGlite
 * every query runs on the main thread, and reading a 35 MB snapshot in one
 * query blocked it for over two seconds. Snapshot segments are read one at a
 * time, each in slices (stored uncompressed so a slice costs the same
 * wherever it is), the changes and log rows in pages. Read-only: the
 * collaboration server owns these tables.
 */
import type { Sql } from '../db/sql.ts';
import type { IndexedChange } from './version-index.ts';
import { backgroundTurn } from '../threads/slices.ts';

export const SNAPSHOT_SLICE_BYTES = 256 * 1024;
const SNAPSHOT_ATTEMPTS = 5;

interface ChangeRow {
  seq: number | string;
  user_id: string | null;
  created_at: Date;
  ids: IndexedChange['ids'];
}

const toIndexed = (row: ChangeRow): IndexedChange => ({ seq: Number(row.seq), userId: row.user_id, at: new Date(row.created_at).getTime(), ids: row.ids });

export async function highestSeq(sql: Sql, docId: string): Promise<number> {
  const [row] = await sql<{ seq: number | string | null }>`
    select greatest(
      (select max(seq) from document_updates where doc_id = ${docId}),
      (select max(seq) from document_history where doc_id = ${docId})) as seq`;
  return Number(row?.seq ?? 0);
}

/** Changes with from < seq ≤ upTo, oldest first by seq, at most `limit`. */
export async function changesAfter(sql: Sql, docId: string, from: number, upTo: number, limit: number): Promise<IndexedChange[]> {
  // Each side limited on its own, so a page reads `limit` rows per table by index instead of sorting the whole rest.
  const rows = await sql<ChangeRow>`
    select seq, user_id, created_at, ids from (
      (select seq, user_id, created_at, ids from document_history
       where doc_id = ${docId} and seq > ${from} and seq <= ${upTo} order by seq limit ${limit})
      union all
      (select seq, user_id, created_at, ids from document_updates
       where doc_id = ${docId} and seq > ${from} and seq <= ${upTo} order by seq limit ${limit})
    ) changes order by seq limit ${limit}`;
  return rows.map(toIndexed);
}

/**
 * Log rows (update bytes) with from < seq ≤ upTo still in the log, oldest
 * first, at most `limit`. Each update gets its own buffer: a driver's row may
 * be a view into a larger one, and posting a view to the worker copies all of it.
 */
export async function updatesAfter(sql: Sql, docId: string, from: number, upTo: number, limit: number): Promise<{ seq: number; update: Uint8Array }[]> {
  const rows = await sql<{ seq: number | string; update: Uint8Array }>`
    select seq, update from document_updates
    where doc_id = ${docId} and seq > ${from} and seq <= ${upTo} order by seq limit ${limit}`;
  return rows.map((row) => ({ seq: Number(row.seq), update: new Uint8Array(row.update) }));
}

/** One stored segment read slice by slice: segments are written once and never change, and an old single-piece snapshot can be tens of MB. */
async function readSegment(sql: Sql, docId: string, coversSeq: number, size: number): Promise<Uint8Array> {
  const state = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += SNAPSHOT_SLICE_BYTES) {
    // A turn between queries: PGlite's promise is settled when its synchronous query returns, so a loop of awaited
    // queries would never leave the microtask queue. The turn also lets live edits go first (see live-work.ts).
    await backgroundTurn();
    const [row] = await sql<{ part: Uint8Array }>`
      select substring(state from ${offset + 1} for ${SNAPSHOT_SLICE_BYTES}) as part
      from document_snapshots where doc_id = ${docId} and covers_seq = ${coversSeq}`;
    if (!row) throw new Error(`snapshot segment ${coversSeq} of ${docId} disappeared while it was read`);
    state.set(row.part, offset);
  }
  return state;
}

/** The segments covering more than `afterSeq`, oldest first, each read on its own. */
async function segmentsAfter(sql: Sql, docId: string, afterSeq: number): Promise<{ coversSeq: number; state: Uint8Array }[]> {
  const segments: { coversSeq: number; state: Uint8Array }[] = [];
  const listed = await sql<{ covers_seq: number | string; size: number | string }>`
    select covers_seq, octet_length(state) as size from document_snapshots
    where doc_id = ${docId} and covers_seq > ${afterSeq} order by covers_seq`;
  for (const row of listed) segments.push({ coversSeq: Number(row.covers_seq), state: await readSegment(sql, docId, Number(row.covers_seq), Number(row.size)) });
  return segments;
}

/**
 * The stored document as updates to apply in order: the snapshot segments,
 * then the log after them. Like the collaboration server's load, but with a
 * turn of the event loop between pieces. A compaction between the pieces
 * appends segments and moves the log rows they cover out of the log; segments
 * only ever append, so the read takes the new segments and reads the log
 * after them again until nothing moved.
 */
export async function readStoredDocument(sql: Sql, docId: string, pageSize: number): Promise<{ segments: Uint8Array[]; log: Uint8Array[] }> {
  const segments: Uint8Array[] = [];
  let covered = 0;
  for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
    const newer = await segmentsAfter(sql, docId, covered);
    for (const segment of newer) segments.push(segment.state);
    covered = newer.at(-1)?.coversSeq ?? covered;
    const log: Uint8Array[] = [];
    for (let after = covered; ; ) {
      await backgroundTurn();
      const rows = await updatesAfter(sql, docId, after, Number.MAX_SAFE_INTEGER, pageSize);
      log.push(...rows.map((row) => row.update));
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1].seq;
    }
    const [moved] = await sql<{ one: number }>`select 1 as one from document_snapshots where doc_id = ${docId} and covers_seq > ${covered} limit 1`;
    if (!moved) return { segments, log };
  }
  throw new Error(`the stored document ${docId} kept being compacted while it was read`);
}
