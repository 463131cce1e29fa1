/**
 * Per-update attribution: which Yjs ids an update inserted and deleted, and
 * who sent it when. Written with every update and kept (without the update's
 * bytes) in document_history after compaction; see migration 002 for why.
 */
import * as Y from 'yjs';
import type { Sql } from '../db/sql.ts';

/** Inserted clock ranges [from, to) and deleted ranges [clock, len] per Yjs client id. */
export interface UpdateIds {
  i: Record<string, [number, number]>;
  d: Record<string, [number, number][]>;
}

export function describeUpdate(update: Uint8Array): UpdateIds {
  return describeDecoded(Y.decodeUpdate(update));
}

/**
 * The same from an update already decoded: the inserted ranges as
 * Y.parseUpdateMeta finds them (each client's last run of structs, from its
 * first clock to the end of its last struct, skips included).
 */
export function describeDecoded(decoded: { structs: { id: { client: number; clock: number }; length: number }[]; ds: { clients: Map<number, { clock: number; len: number }[]> } }): UpdateIds {
  const inserted: UpdateIds['i'] = {};
  let client: number | null = null;
  let from = 0;
  let to = 0;
  for (const struct of decoded.structs) {
    if (struct.id.client !== client) {
      if (client !== null) inserted[client] = [from, to];
      client = struct.id.client;
      from = struct.id.clock;
    }
    to = struct.id.clock + struct.length;
  }
  if (client !== null) inserted[client] = [from, to];
  const deleted: UpdateIds['d'] = {};
  for (const [id, items] of decoded.ds.clients) deleted[id] = items.map((item) => [item.clock, item.len]);
  return { i: inserted, d: deleted };
}

/**
 * The same description read from the transaction that made the change, so the
 * hot path does not decode the update it just produced (a transaction's
 * before/after state vectors and delete set are what its update encodes).
 */
export function describeTransaction(transaction: Y.Transaction, into: UpdateIds = { i: {}, d: {} }): UpdateIds {
  for (const [client, to] of transaction.afterState) {
    const from = transaction.beforeState.get(client) ?? 0;
    if (to <= from) continue;
    const known = into.i[client];
    into.i[client] = known ? [Math.min(known[0], from), Math.max(known[1], to)] : [from, to];
  }
  for (const [client, items] of transaction.deleteSet.clients) {
    (into.d[client] ??= []).push(...items.map((item): [number, number] => [item.clock, item.len]));
  }
  return into;
}

export interface Change {
  seq: number;
  userId: string | null;
  createdAt: Date;
  ids: UpdateIds;
}

interface ChangeRow {
  seq: number;
  user_id: string | null;
  created_at: Date;
  ids: UpdateIds;
}

const changes = (sql: Sql, docId: string) => sql<ChangeRow>`
  select seq, user_id, created_at, ids from document_history where doc_id = ${docId}
  union all
  select seq, user_id, created_at, ids from document_updates where doc_id = ${docId}
  order by seq`;

/** Every change ever accepted for the document, compacted or not, oldest first. */
export async function listChanges(sql: Sql, docId: string): Promise<Change[]> {
  const rows = await changes(sql, docId);
  return rows.map((row) => ({ seq: row.seq, userId: row.user_id, createdAt: row.created_at, ids: row.ids }));
}

/** The change that inserted the Yjs item with this id (e.g. from Y.Item.id), or null. */
export async function findInsertingChange(sql: Sql, docId: string, id: { client: number; clock: number }): Promise<Change | null> {
  const all = await listChanges(sql, docId);
  return (
    all.find((change) => {
      const range = change.ids.i[String(id.client)];
      return range !== undefined && range[0] <= id.clock && id.clock < range[1];
    }) ?? null
  );
}
