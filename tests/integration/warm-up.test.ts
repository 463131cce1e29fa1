import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlDocumentStore } from '../../server/collab/storage.ts';
import { warmUpFirstSync, warmUpLoad } from '../../server/collab/warm-up.ts';
import type { Sql } from '../../server/db/sql.ts';
import { warmUpWebsocketPath } from '../../server/wiring/document-policy.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { observedSql } from '../helpers/observed-sql.ts';

/** postgres.js's pool in openPostgres; the warm-up leaves one of them to the pool (see Sql.everyConnection). */
const POOL_SIZE = 10;

/** What main.ts warms: the collaboration server's part, as the real one does it. */
const collab = { warmUpQueries: (sql: Sql) => warmUpLoad(sqlDocumentStore(sql)), warmUp: () => warmUpFirstSync() };

describe.each(backends)('warming up before taking connections (%s)', (backend) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('runs the session, access and load queries without writing anything', async () => {
    const rows = async () =>
      (
        await db.sql`
          select (select count(*) from sessions)::int as sessions, (select count(*) from users)::int as users,
            (select count(*) from documents)::int as documents, (select count(*) from document_updates)::int as updates,
            (select count(*) from document_snapshots)::int as snapshots, (select count(*) from document_history)::int as history`
      )[0];
    const before = await rows();

    await warmUpWebsocketPath(db.sql, collab);

    expect(await rows()).toEqual(before);
  });

  it('runs the upgrade’s queries on every pooled connection, not only on the ones the pool happened to pick', async () => {
    // What a query costs the first time (the catalog PostgreSQL reads for it) is paid per connection.
    const ran: string[][] = [];
    const tracking = observedSql(db.sql, () => {}, (connection) => {
      const texts: string[] = [];
      ran.push(texts);
      return observedSql(connection, (strings) => texts.push(strings.join('?')));
    });

    await warmUpWebsocketPath(tracking, collab);

    expect(ran.length).toBe(backend === 'postgres' ? POOL_SIZE - 1 : 1);
    for (const texts of ran) {
      // The session check, the access decision's incident and participant rows, and the document's load.
      expect(texts.some((text) => text.includes('from sessions s join users u'))).toBe(true);
      expect(texts.some((text) => text.includes('from incident_participants p join incidents i'))).toBe(true);
      expect(texts.some((text) => text.includes('from document_snapshots'))).toBe(true);
    }
  });

  it('runs on each connection of the pool at once, each its own', async () => {
    const backends: number[] = [];
    await db.sql.everyConnection(async (connection) => {
      backends.push((await connection<{ pid: number }>`select pg_backend_pid() as pid`)[0].pid);
    });
    expect(new Set(backends).size).toBe(backend === 'postgres' ? POOL_SIZE - 1 : 1);
  });

  it('finishes when the warm-up also queries through the pool (as a store wrapping the SQL one does)', async () => {
    // With every connection reserved, each warm-up waited for a pool connection held by the warm-ups: start-up hung.
    const finished = db.sql.everyConnection(async (connection) => {
      await connection`select 1`;
      await db.sql`select 1`;
    });
    const verdict = await Promise.race([finished.then(() => 'finished'), new Promise((resolve) => setTimeout(resolve, 5_000, 'stuck'))]);
    expect(verdict).toBe('finished');
  });
});
