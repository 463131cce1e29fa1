import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from './sql.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_[\w-]+\.sql$/.test(file))
    .map((file) => ({
      version: Number(file.split('_')[0]),
      name: file.replace(/\.sql$/, ''),
      sql: readFileSync(join(dir, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Applies pending migrations in order, each in its own transaction.
 * Every transaction first takes a transaction-scoped advisory lock keyed on the
 * schema, so two processes starting together queue up instead of racing; the
 * second one then sees the version recorded and skips it.
 */
export async function migrate(sql: Sql, migrations = loadMigrations()): Promise<string[]> {
  const lock = (tx: Sql) => tx`select pg_advisory_xact_lock(hashtext('warroom.migrate.' || current_schema()))`;
  await sql.begin(async (tx) => {
    await lock(tx);
    await tx`create table if not exists schema_migrations (
      version int primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`;
  });
  const applied: string[] = [];
  for (const migration of migrations) {
    await sql.begin(async (tx) => {
      await lock(tx);
      const done = await tx`select 1 from schema_migrations where version = ${migration.version}`;
      if (done.length > 0) return;
      await tx.script(migration.sql);
      await tx`insert into schema_migrations (version, name) values (${migration.version}, ${migration.name})`;
      applied.push(migration.name);
    });
  }
  return applied;
}
