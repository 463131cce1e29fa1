/**
 * Batch inserts through one jsonb parameter per batch
 * (`insert … select from jsonb_to_recordset`): the same SQL on PostgreSQL and
 * PGlite, a few round trips for thousands of rows, values still bound.
 */
import { Fragment, type Sql } from '../db/sql.ts';
import type { Rows } from './rows.ts';

export type Columns = readonly (readonly [name: string, type: string])[];

const BATCH = 2000;
const IDENT = /^[a-z_][a-z0-9_]*$/;
const TYPE = /^[a-z ]+(\[\])?$/;

function raw(text: string): Fragment {
  return new Fragment([text], []);
}

export async function writeRows(sql: Sql, table: string, columns: Columns, rows: Rows): Promise<void> {
  // Table and column names come from this module's callers, never from input; checked anyway since they are spliced in.
  if (!IDENT.test(table) || !columns.every(([name, type]) => IDENT.test(name) && TYPE.test(type))) throw new Error(`bad table spec for ${table}`);
  const names = raw(columns.map(([name]) => name).join(', '));
  const record = raw(columns.map(([name, type]) => `${name} ${type}`).join(', '));
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await sql`insert into ${raw(table)} (${names}) select ${names} from jsonb_to_recordset(${batch}::jsonb) as x(${record})`;
  }
}

