/**
 * Where documents live: the replay log, the snapshot, and the compaction that
 * folds one into the other. Rooms see only this interface (load, append,
 * compact), so tests can put a failing store behind a room.
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
  /** The snapshot first (when there is one), then the log after it, in order. */
  updates: Uint8Array[];
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
  /** Replaces the snapshot with `state` and moves the log up to `coversSeq` into history, atomically. */
  compact(docId: string, state: Uint8Array, coversSeq: number): Promise<void>;
}

export function sqlDocumentStore(sql: Sql): DocumentStore {
  return {
    async load(docId) {
      // One statement, so a compaction committing in between cannot make us miss rows.
      const rows = await sql<{ part: number; seq: number; data: Uint8Array }>`
        select 0 as part, covers_seq as seq, state as data from document_snapshots where doc_id = ${docId}
        union all
        select 1, seq, update from document_updates
        where doc_id = ${docId} and seq > coalesce((select covers_seq from document_snapshots where doc_id = ${docId}), 0)
        order by part, seq`;
      const log = rows.filter((row) => row.part === 1);
      return {
        updates: rows.map((row) => row.data),
        lastSeq: rows.reduce((max, row) => Math.max(max, row.seq), 0),
        logCount: log.length,
        logBytes: log.reduce((sum, row) => sum + row.data.byteLength, 0),
      };
    },

    async append(docId, updates) {
      const values = updates.map((u) => frag`(${docId}, ${u.update}, ${u.userId}, ${u.receivedAt}, ${u.ids}::jsonb)`);
      const rows = await sql<{ seq: number }>`
        insert into document_updates (doc_id, update, user_id, created_at, ids)
        values ${join(values, ', ')}
        returning seq`;
      return rows.reduce((max, row) => Math.max(max, row.seq), 0);
    },

    async compact(docId, state, coversSeq) {
      await sql.begin(async (tx) => {
        await tx`
          insert into document_history (doc_id, seq, user_id, created_at, bytes, ids)
          select doc_id, seq, user_id, created_at, octet_length(update), ids
          from document_updates where doc_id = ${docId} and seq <= ${coversSeq}`;
        await tx`delete from document_updates where doc_id = ${docId} and seq <= ${coversSeq}`;
        await tx`
          insert into document_snapshots (doc_id, state, covers_seq) values (${docId}, ${state}, ${coversSeq})
          on conflict (doc_id) do update set state = excluded.state, covers_seq = excluded.covers_seq, created_at = now()`;
      });
    },
  };
}
