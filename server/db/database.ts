import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { lockDataDir } from './data-dir-lock.ts';
import { createSql, type Sql } from './sql.ts';
import { openPostgres } from './postgres-driver.ts';
import { openPglite } from './pglite-driver.ts';
import { createInChildProcess } from './pglite-first-start.ts';

export interface Database {
  sql: Sql;
  kind: 'postgres' | 'pglite';
  /** Where the data lives, for the start-up log line (no credentials). */
  location: string;
  /**
   * Embedded PGlite's WebAssembly memory in bytes (PostgreSQL's buffers and
   * working memory; it grows and is never given back), null on PostgreSQL:
   * how much of the process's memory is the database's.
   */
  wasmMemoryBytes(): number | null;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… to use a PostgreSQL server; unset for embedded PGlite. */
  url?: string;
  /** PGlite keeps its files here; unset (with no url) keeps everything in memory. */
  dataDir?: string;
  schema?: string;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const { driver, close } = openPostgres({ url: options.url, schema: options.schema });
    const location = new URL(options.url);
    return { sql: createSql(driver), kind: 'postgres', location: `${location.host}${location.pathname}`, wasmMemoryBytes: () => null, close };
  }
  let dir: string | undefined;
  let unlock = () => {};
  if (options.dataDir) {
    dir = resolve(options.dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(resolve(options.dataDir));
  }
  try {
    if (dir) await createInChildProcess(dir);
    const { driver, close, wasmMemoryBytes } = await openPglite(dir);
    return {
      sql: createSql(driver),
      kind: 'pglite',
      location: dir ?? 'memory',
      wasmMemoryBytes,
      async close() {
        try {
          await close();
        } finally {
          unlock();
        }
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}
