/**
 * Where documents live: the replay log, the snapshot segments, and the
 * compaction that folds one into the other. Rooms see only this interface
 * (load, append, compact), so tests can put a failing store behind a room.
 *
 * Loading reads in pages, so a large document never becomes one huge query
 * (embedded PGlite runs queries on the server's own thread); a document that
 * fits in one page is read in one statement, since every query is a round
 * trip a first sync waits for.
 */
import { frag, join, type Sql } from '../db/sql.ts';
import type { UpdateIds } from './history.ts';

export interface StoredUpdate {
  update: Uint8Array;
  /** null for changes the server made itself. */
  userId: string | null;
  receivedAt: Date;
  ids: UpdateIds;
}

export interface LoadedDocument {
  /** The snapshot segments first, in order, then the log after them, in order. */
  updates: Uint8Array[];
  /** How many of `updates` are snapshot segments. */
  segmentCount: number;
  /** Highest seq the loaded state covers (0 for a new document). */
  lastSeq: number;
  /** Log rows and bytes since the snapshot, for the compaction threshold. */
  logCount: number;
  logBytes: number;
}

export interface DocumentStore {
  load(docId: string): Promise<LoadedDocument>;
  /** Commits the updates in one transaction; resolves with the highest seq written. */
  append(docId: string, updates: StoredUpdate[]): Promise<number>;
  /** Appends snapshot segments covering the log up to `coversSeq` and moves those log rows into history, atomically. */
  compact(docId: string, segments: Uint8Array[], coversSeq: number): Promise<void>;
  /**
   * Copies the log rows up to `coversSeq` into history ahead of `compact`, a
   * few rows per statement, while the room's commits go on (optional).
   * Copying twice keeps one copy, so a copy a crash interrupted is finished
   * by the next compaction.
   */
  archive?(docId: string, coversSeq: number): Promise<void>;
  /** Runs a small document's load query for nothing, reading at most one page (the warm-up: see warm-up.ts; optional). */
  warmUp?(docId: string): Promise<void>;
}

/**
 * Log rows copied into history per statement. A compaction's 500 rows of one
 * keystroke each took 13–34 ms to copy in one statement on embedded PGlite,
 * which runs it on the server's thread, while every commit waited.
 */
const ARCHIVE_ROWS = 100;

/**
 * Rows looked at per page, and the bytes one page may bring: embedded PGlite
 * reads every byte on the server's thread, and every war room's commits wait
 * for the statement running. A page of 2 MiB was one statement of 60–117 ms
 * while a large war room loaded beside a replay; segments are at most about
 * 128 KiB (see segment-merge.ts), so a page still carries a few.
 */
const PAGE_ROWS = 1000;
const PAGE_BYTES = 256 * 1024;

type SeqRow = { seq: number; data: Uint8Array };

/**
 * Rows in `seq` order after `afterSeq`, a page at a time: first the sizes
 * (no data), then the data of as many rows as fit in PAGE_BYTES (at least
 * one). Counting rows alone let one page carry 64 segments of a megabyte each.
 */
async function readPaged(
  afterSeq: number,
  sizes: (after: number) => Promise<{ seq: number; bytes: number }[]>,
  rows: (after: number, upTo: number) => Promise<SeqRow[]>,
): Promise<SeqRow[]> {
  const read: SeqRow[] = [];
  let after = afterSeq;
  for (let page = 0; page < 10_000_000; page++) {
    const sized = await sizes(after);
    if (sized.length === 0) break;
    let upTo = sized[0].seq;
    let bytes = 0;
    for (const row of sized) {
      if (bytes > 0 && bytes + row.bytes > PAGE_BYTES) break;
      bytes += row.bytes;
      upTo = row.seq;
    }
    const got = await rows(after, upTo);
    read.push(...got);
    after = upTo;
  }
  return read;
}

function loadedDocument(segments: SeqRow[], log: SeqRow[]): LoadedDocument {
  const all = [...segments, ...log];
  return {
    updates: all.map((row) => row.data),
    segmentCount: segments.length,
    lastSeq: all.reduce((max, row) => Math.max(max, row.seq), 0),
    logCount: log.length,
    logBytes: log.reduce((sum, row) => sum + row.data.byteLength, 0),
  };
}

export function sqlDocumentStore(sql: Sql): DocumentStore {
  /** Per document, the highest seq `archive` has copied into history and `compact` has not yet removed from the log. */
  const archivedUpTo = new Map<string, number>();
  const segmentsAfter = (docId: string, afterSeq: number) =>
    readPaged(
      afterSeq,
      (after) => sql<{ seq: number; bytes: number }>`
        select covers_seq as seq, octet_length(state) as bytes from document_snapshots
        where doc_id = ${docId} and covers_seq > ${after} order by covers_seq limit ${PAGE_ROWS}`,
      (after, upTo) => sql<SeqRow>`
        select covers_seq as seq, state as data from document_snapshots
        where doc_id = ${docId} and covers_seq > ${after} and covers_seq <= ${upTo} order by covers_seq`,
    );

  const logAfter = (docId: string, afterSeq: number) =>
    readPaged(
      afterSeq,
      (after) => sql<{ seq: number; bytes: number }>`
        select seq, octet_length(update) as bytes from document_updates
        where doc_id = ${docId} and seq > ${after} order by seq limit ${PAGE_ROWS}`,
      (after, upTo) => sql<SeqRow>`
        select seq, update as data from document_updates where doc_id = ${docId} and seq > ${after} and seq <= ${upTo} order by seq`,
    );

  /**
   * The whole document in one statement (one snapshot, one round trip) when
   * it fits in a page, else null. Rows past the page's bytes come without
   * their data, so a large document costs this query little. Every segment's
   * seq is below every log row's: compaction deletes the rows it covers.
   */
  const wholeIfSmall = async (docId: string) => {
    const rows = await sql<{ segment: boolean; seq: number; data: Uint8Array | null }>`
      select segment, seq, case when sum(bytes) over (order by seq) <= ${PAGE_BYTES} then data end as data
      from (
        select true as segment, covers_seq as seq, octet_length(state) as bytes, state as data from document_snapshots where doc_id = ${docId}
        union all
        select false, seq, octet_length(update), update from document_updates where doc_id = ${docId}
      ) stored
      order by seq limit ${PAGE_ROWS + 1}`;
    if (rows.length > PAGE_ROWS || rows.some((row) => row.data === null)) return null;
    return { segments: rows.filter((row) => row.segment) as SeqRow[], log: rows.filter((row) => !row.segment) as SeqRow[] };
  };

  return {
    async warmUp(docId) {
      await wholeIfSmall(docId);
    },

    async load(docId) {
      const whole = await wholeIfSmall(docId);
      if (whole) return loadedDocument(whole.segments, whole.log);
      // Paged reads are not one snapshot of the database: a compaction committing in between
      // turns log rows into a segment. Segments only ever append, so read the new ones and the
      // log after them again until nothing moved (bounded: each pass is after a compaction).
      const segments = await segmentsAfter(docId, 0);
      let log: SeqRow[] = [];
      for (let pass = 0; pass < 100; pass++) {
        const covered = segments.length ? segments[segments.length - 1].seq : 0;
        log = await logAfter(docId, covered);
        const newer = await segmentsAfter(docId, covered);
        if (newer.length === 0) break;
        segments.push(...newer);
      }
      return loadedDocument(segments, log);
    },

    async append(docId, updates) {
      const values = updates.map((u) => frag`(${docId}, ${u.update}, ${u.userId}, ${u.receivedAt}, ${u.ids}::jsonb)`);
      // Everyone in the room waits for this commit: it goes before reads still queued (see Sql.urgent).
      const rows = await sql.urgent<{ seq: number }>`
        insert into document_updates (doc_id, update, user_id, created_at, ids)
        values ${join(values, ', ')}
        returning seq`;
      return rows.reduce((max, row) => Math.max(max, row.seq), 0);
    },

    async archive(docId, coversSeq) {
      let after = archivedUpTo.get(docId) ?? 0;
      for (let piece = 0; piece < 10_000_000; piece++) {
        const [copied] = await sql<{ last: number | null; rows: number }>`
          with piece as (
            select doc_id, seq, user_id, created_at, update, ids from document_updates
            where doc_id = ${docId} and seq > ${after} and seq <= ${coversSeq} order by seq limit ${ARCHIVE_ROWS}
          ), copy as (
            insert into document_history (doc_id, seq, user_id, created_at, bytes, ids)
            select doc_id, seq, user_id, created_at, octet_length(update), ids from piece
            on conflict (doc_id, seq) do nothing
          )
          select max(seq) as last, count(*)::int as rows from piece`;
        if (copied.last !== null) after = Number(copied.last);
        if (copied.rows < ARCHIVE_ROWS) break;
      }
      archivedUpTo.set(docId, coversSeq);
    },

    async compact(docId, segments, coversSeq) {
      const copiedUpTo = Math.min(archivedUpTo.get(docId) ?? 0, coversSeq);
      await sql.begin(async (tx) => {
        // What `archive` copied is there already (and a copy an earlier process made before a crash is kept).
        await tx`
          insert into document_history (doc_id, seq, user_id, created_at, bytes, ids)
          select doc_id, seq, user_id, created_at, octet_length(update), ids
          from document_updates where doc_id = ${docId} and seq > ${copiedUpTo} and seq <= ${coversSeq}
          on conflict (doc_id, seq) do nothing`;
        await tx`delete from document_updates where doc_id = ${docId} and seq <= ${coversSeq}`;
        // Segments share the covering seq's neighbourhood: the last one covers `coversSeq`, earlier ones just below it,
        // all above the previous compaction (whose rows were deleted, so those seqs are never reused).
        for (const [i, segment] of segments.entries()) {
          await tx`insert into document_snapshots (doc_id, state, covers_seq) values (${docId}, ${segment}, ${coversSeq - (segments.length - 1 - i)})`;
        }
      });
      if ((archivedUpTo.get(docId) ?? 0) <= coversSeq) archivedUpTo.delete(docId);
    },
  };
}
