import postgres from 'postgres';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';

export type Backend = 'pglite' | 'postgres';

/**
 * PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it).
 * Storage and auth suites run once per backend with `describe.each(backends)`.
 */
export const backends: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase extends Database {
  /** Connection options for another pool on the same schema (e.g. a second process). */
  url?: string;
  schema?: string;
}

/** A fresh, migrated database: in-memory PGlite, or a new schema on the PostgreSQL server. */
export async function openTestDatabase(backend: Backend, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let db: TestDatabase;
  if (backend === 'pglite') {
    db = await openDatabase({});
  } else {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set');
    const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create schema ${schema}`);
    await admin.end();
    const inner = await openDatabase({ url, schema });
    db = {
      ...inner,
      url,
      schema,
      async close() {
        await inner.close();
        const cleanup = postgres(url, { max: 1, onnotice: () => {} });
        await cleanup.unsafe(`drop schema if exists ${schema} cascade`);
        await cleanup.end();
      },
    };
  }
  if (options.migrate !== false) await migrate(db.sql);
  return db;
}
