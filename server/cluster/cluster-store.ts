/**
 * Document storage for several processes sharing one PostgreSQL (cluster
 * mode). Loading is the single-process store's. Appending numbers each change
 * per document (`doc_seq`, see the document_heads migration) in the same
 * statement that stores it, and hands the committed changes to `committed`,
 * which publishes them: commit first, then tell anyone. Compaction is safe
 * beside other processes: it takes the document's head row, so no commit of
 * that document is in flight, and merges the log as the database holds it,
 * not as this process saw it (other processes' rows included).
 */
import { frag, join, type Sql } from '../db/sql.ts';
import { mergeIntoSegments } from '../collab/segments.ts';
import { sqlDocumentStore, type DocumentStore, type StoredUpdate } from '../collab/storage.ts';

export interface CommittedChanges {
  docId: string;
  /** The per-document number of the first update; the rest follow one by one. */
  firstSeq: number;
  updates: Uint8Array[];
}

export interface ClusterStore extends DocumentStore {
  /** The highest per-document number committed (0: none yet). */
  head(docId: string): Promise<number>;
  /** Committed updates after `afterSeq`, in order, or 'compacted' when some were already merged into segments. */
  after(docId: string, afterSeq: number, limit?: number): Promise<{ seq: number; update: Uint8Array }[] | 'compacted'>;
}

export interface ClusterStoreOptions {
  /** Called right after each commit, before the room sends the changes to its own clients. */
  committed(changes: CommittedChanges): void;
}

export function clusterDocumentStore(sql: Sql, options: ClusterStoreOptions): ClusterStore {
  const base = sqlDocumentStore(sql);

  async function head(docId: string): Promise<number> {
    const [row] = await sql<{ seq: number }>`select seq from document_heads where doc_id = ${docId}`;
    return row ? Number(row.seq) : 0;
  }

  return {
    load: (docId) => base.load(docId),
    head,

    async append(docId, updates: StoredUpdate[]) {
      // One statement: the head row stays locked until it commits, so numbers are consecutive in commit order.
      const values = updates.map(
        (u, i) => frag`(${u.update}::bytea, ${u.userId}::text, ${u.receivedAt}::timestamptz, ${u.ids}::jsonb, ${i + 1}::int)`,
      );
      const rows = await sql<{ seq: number; doc_seq: number }>`
        with head as (
          insert into document_heads (doc_id, seq) values (${docId}, ${updates.length})
          on conflict (doc_id) do update set seq = document_heads.seq + excluded.seq
          returning seq
        )
        insert into document_updates (doc_id, update, user_id, created_at, ids, doc_seq)
        select ${docId}, v.update, v.user_id, v.created_at, v.ids, head.seq - ${updates.length} + v.ord
        from head, (values ${join(values, ', ')}) as v(update, user_id, created_at, ids, ord)
        returning seq, doc_seq`;
      const firstSeq = rows.reduce((min, row) => Math.min(min, Number(row.doc_seq)), Infinity);
      options.committed({ docId, firstSeq, updates: updates.map((u) => u.update) });
      return rows.reduce((max, row) => Math.max(max, Number(row.seq)), 0);
    },

    async after(docId, afterSeq, limit = 1000) {
      const rows = await sql<{ doc_seq: number; update: Uint8Array }>`
        select doc_seq, update from document_updates
        where doc_id = ${docId} and doc_seq > ${afterSeq} order by doc_seq limit ${limit}`;
      const run: { seq: number; update: Uint8Array }[] = [];
      for (const row of rows) {
        if (Number(row.doc_seq) !== afterSeq + run.length + 1) break;
        run.push({ seq: Number(row.doc_seq), update: row.update });
      }
      if (run.length > 0) return run;
      return (await head(docId)) > afterSeq ? 'compacted' : [];
    },

    // The segments the room merged from its own view are ignored: its view lacks other processes' rows.
    async compact(docId) {
      await sql.begin(async (tx) => {
        const [lock] = await tx<{ got: boolean }>`select pg_try_advisory_xact_lock(hashtext(${`warroom.compact:${docId}`})) as got`;
        if (!lock.got) return; // another process is compacting this document right now
        await tx`select seq from document_heads where doc_id = ${docId} for update`;
        const rows = await tx<{ seq: number; update: Uint8Array }>`
          select seq, update from document_updates where doc_id = ${docId} order by seq`;
        if (rows.length === 0) return;
        const coversSeq = Number(rows[rows.length - 1].seq);
        const segments = await mergeIntoSegments(rows.map((row) => row.update));
        await tx`
          insert into document_history (doc_id, seq, user_id, created_at, bytes, ids)
          select doc_id, seq, user_id, created_at, octet_length(update), ids
          from document_updates where doc_id = ${docId} and seq <= ${coversSeq}`;
        await tx`delete from document_updates where doc_id = ${docId} and seq <= ${coversSeq}`;
        for (const [i, segment] of segments.entries()) {
          await tx`insert into document_snapshots (doc_id, state, covers_seq) values (${docId}, ${segment}, ${coversSeq - (segments.length - 1 - i)})`;
        }
      });
    },
  };
}
