import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createSession } from '../../server/auth/sessions.ts';
import { createUser } from '../../server/auth/users.ts';
import { insertIncident } from '../../server/incidents/repo.ts';
import { sqlDocumentStore } from '../../server/collab/storage.ts';
import { warmUpLoad } from '../../server/collab/warm-up.ts';
import type { Sql } from '../../server/db/sql.ts';
import { warmUpWebsocketPath } from '../../server/wiring/document-policy.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { observedSql } from '../helpers/observed-sql.ts';

/** postgres.js's pool in openPostgres; the warm-up leaves one of them to the pool (see Sql.everyConnection). */
const POOL_SIZE = 10;

/** What main.ts warms: the collaboration server's queries, as the real one runs them (its Yjs part, which queries nothing, is tested in unit/collab-warm-up-room). */
const collab = { warmUpQueries: (sql: Sql, docId: string | null = null) => warmUpLoad(sqlDocumentStore(sql), docId), warmUp: async () => {} };

/** A few typed characters, as a client's update. */
function typedUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'warm');
  return Y.encodeStateAsUpdate(doc);
}

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

  it('reads real rows too, the last seen session and the last declared war room, and changes none of them', async () => {
    // A query that finds nothing leaves the work of a found row (reading it, turning it into results) to the first client.
    const user = await createUser(db.sql, { email: `warm-${randomUUID()}@example.com`, displayName: 'Warm', passwordHash: 'x', role: 'member' });
    // Seen and declared "tomorrow", so these are the rows the warm-up picks whatever else the database holds.
    const { session } = await createSession(db.sql, user.id);
    await db.sql`update sessions set last_seen_at = now() + interval '1 day' where id = ${session.id}`;
    const docId = `incident-warm-${randomUUID()}`;
    await db.sql`insert into documents (id, kind) values (${docId}, 'war-room')`;
    await insertIncident(db.sql, {
      id: randomUUID(), title: 'Warm', severity: 2, summary: '', services: [], private: false, drill: false,
      declaredBy: user.id, commanderId: user.id, startedAt: new Date(), detectedAt: null, declaredAt: new Date(Date.now() + 86_400_000), docId,
    });
    await sqlDocumentStore(db.sql).append(docId, [{ update: typedUpdate(), userId: user.id, receivedAt: new Date(), ids: { i: {}, d: {} } }]);
    const state = async () => (await db.sql`select s.expires_at, s.last_seen_at, (select count(*)::int from document_updates where doc_id = ${docId}) as updates from sessions s where s.id = ${session.id}`)[0];
    const before = await state();

    const found: string[] = [];
    const observing = observedSql(db.sql, () => {}, (connection) =>
      observedSql(connection, (strings, result) => {
        void result.then((rows) => (rows as unknown[]).length > 0 && found.push(strings.join('?')), () => {});
      }),
    );
    await warmUpWebsocketPath(observing, collab);

    expect(found.some((text) => text.includes('from sessions s join users u'))).toBe(true);
    // The incident's lookup (its select list is a fragment of its own).
    expect(found.some((text) => text.includes('where i.doc_id') && !text.includes('incident_participants'))).toBe(true);
    expect(found.some((text) => text.includes('from document_snapshots'))).toBe(true);
    expect(await state()).toEqual(before);
  });

  it('then repeats the queries through the shared pool, as many passes as it is given time for', async () => {
    // Repeats warm code, not connections: V8 optimises what has run a while, and on one core that work slowed the first client.
    const run = async (repeat: { passes: number; ms: number }) => {
      let shared = 0;
      const perConnection: number[] = [];
      const counting = observedSql(db.sql, () => shared++, (connection) => {
        const i = perConnection.push(0) - 1;
        return observedSql(connection, () => perConnection[i]++);
      });
      await warmUpWebsocketPath(counting, collab, repeat);
      return { shared, onePass: perConnection[0] };
    };
    const once = await run({ passes: 1, ms: 60_000 });
    const thrice = await run({ passes: 3, ms: 60_000 });
    const outOfTime = await run({ passes: 3, ms: 0 });

    expect(once.onePass).toBeGreaterThan(0);
    expect(thrice.shared - once.shared).toBe(2 * once.onePass);
    expect(outOfTime.shared).toBe(once.shared);
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
