import type { Sql } from '../db/sql.ts';

/** What a document is for; incidents add 'war-room' and 'postmortem'. */
export type DocumentKind = string;

/** Registers a live document; idempotent, so domain code can call it inside its own transaction. */
export async function createDocument(sql: Sql, id: string, kind: DocumentKind): Promise<void> {
  await sql`insert into documents (id, kind) values (${id}, ${kind}) on conflict (id) do nothing`;
}

export async function documentExists(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`select 1 from documents where id = ${id}`;
  return rows.length > 0;
}
