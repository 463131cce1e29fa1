import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frag, join } from '../../server/db/sql.ts';
import { busyEventLoop } from '../helpers/busy-event-loop.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

// The same queries must mean the same thing on both drivers.
describe.each(backends)('SQL interface (%s)', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend, { migrate: false });
    await db.sql.script('create table things (id int primary key, name text, data jsonb, blob bytea, tags text[], at timestamptz)');
  });
  afterAll(() => db?.close());

  it('round-trips values of every type we store as parameters', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const blob = new Uint8Array([0, 1, 2, 255]);
    await db.sql`insert into things values (1, ${"it's"}, ${{ a: [1, 2] }}::jsonb, ${blob}, ${['x', 'y']}::text[], ${at})`;
    const [row] = await db.sql<{ id: number; name: string; data: unknown; blob: Uint8Array; tags: string[]; at: Date }>`select * from things where id = ${1}`;
    expect(row.name).toBe("it's");
    expect(row.data).toEqual({ a: [1, 2] });
    expect([...row.blob]).toEqual([0, 1, 2, 255]);
    expect(row.tags).toEqual(['x', 'y']);
    expect(row.at).toEqual(at);
    const [count] = await db.sql<{ n: number }>`select count(*) as n from things`;
    expect(count.n).toBe(1);
  });

  it('round-trips text and JSON exactly, short and long, in every script and with characters outside the BMP', async () => {
    const sample = 'Résumé — 事故対応 🔥 "quoted" \\ back\\slash\n';
    const texts = ['', sample, sample.repeat(500), sample.repeat(40_000)];
    for (const [i, text] of texts.entries()) {
      await db.sql`insert into things (id, name, data) values (${300 + i}, ${text}, ${{ text, n: i, nested: [text.slice(0, 10)] }}::jsonb)`;
    }
    const rows = await db.sql<{ id: number; name: string | null; data: { text: string; n?: number; nested?: string[] } }>`
      select id, name, data from things where id >= 300 and id < 400 order by id`;
    for (const [i, text] of texts.entries()) {
      expect(rows[i].name === text, `text ${i} (${text.length} characters)`).toBe(true);
      expect(rows[i].data).toEqual({ text, n: i, nested: [text.slice(0, 10)] });
    }
    const [lengths] = await db.sql<{ chars: number; bytes: number }>`select length(name) as chars, octet_length(name) as bytes from things where id = ${303}`;
    expect(lengths).toEqual({ chars: [...texts[3]].length, bytes: Buffer.byteLength(texts[3]) });
  });

  it('round-trips bytes exactly, from none to a document-sized blob, each read in a buffer of its own', async () => {
    const big = new Uint8Array(3_000_000).map((_, i) => (i * 7919) & 255);
    const blobs = [new Uint8Array(0), new Uint8Array([0x5c, 0x78]), Uint8Array.from({ length: 256 }, (_, i) => i), big, big.subarray(1000, 5000)];
    for (const [i, blob] of blobs.entries()) await db.sql`insert into things (id, blob) values (${100 + i}, ${blob})`;
    const rows = await db.sql<{ blob: Uint8Array }>`select blob from things where id >= 100 and id < 200 order by id`;
    expect(rows.map((row) => Buffer.from(row.blob).equals(Buffer.from(blobs[rows.indexOf(row)])))).toEqual(blobs.map(() => true));
    // The replay service hands a stored document's buffer to its worker: it must not share memory with other rows.
    if (backend === 'pglite') for (const row of rows) expect(row.blob.buffer.byteLength).toBe(row.blob.byteLength);
  });

  it('answers other work between the queries of a burst, not after all of them', async () => {
    // Embedded PGlite runs queries on this thread; a request arriving mid-burst is an event-loop turn away.
    const finished: string[] = [];
    const burst = Array.from({ length: 50 }, (_, i) => db.sql`select pg_sleep(0.001), ${i}::int as i`.then(() => finished.push(`query ${i}`)));
    const other = new Promise<void>((resolve) => setTimeout(() => resolve(void finished.push('other')), 0));
    await Promise.all([...burst, other]);
    expect(finished.indexOf('other')).toBeLessThan(finished.length - 1);
  });

  // Embedded PGlite: one connection, one queue to jump.
  it.runIf(backend === 'pglite')('runs an urgent query (a live edit’s commit) before the queries already waiting, in order among its kind', async () => {
    const finished: string[] = [];
    const queued = Array.from({ length: 30 }, (_, i) => db.sql`select pg_sleep(0.001), ${i}::int as i`.then(() => finished.push(`read ${i}`)));
    const urgent = [0, 1].map((i) => db.sql.urgent`select ${i}::int as i`.then(() => finished.push(`commit ${i}`)));
    await Promise.all([...queued, ...urgent]);
    // At most the query already running finishes first.
    expect(finished.indexOf('commit 0')).toBeLessThanOrEqual(1);
    expect(finished.indexOf('commit 1')).toBe(finished.indexOf('commit 0') + 1);
    expect(finished.filter((name) => name.startsWith('read'))).toEqual(Array.from({ length: 30 }, (_, i) => `read ${i}`));
  });

  // Embedded PGlite: a transaction holds the only connection for all of its statements, so it waits its turn like a query.
  it.runIf(backend === 'pglite')('runs an urgent query before a transaction that is waiting for its turn, and the transaction before later reads', async () => {
    const finished: string[] = [];
    const running = db.sql`select pg_sleep(0.02)`.then(() => finished.push('read running'));
    const transaction = db.sql.begin(async (tx) => {
      finished.push('transaction began');
      await tx`select pg_sleep(0.01)`;
    });
    const later = db.sql`select 1`.then(() => finished.push('read queued later'));
    const urgent = db.sql.urgent`select 1`.then(() => finished.push('commit'));
    await Promise.all([running, transaction, later, urgent]);
    // (The running read's own result may be handed back after the commit's: both wait for the log to be flushed.)
    expect(finished.filter((step) => step !== 'read running')).toEqual(['commit', 'transaction began', 'read queued later']);
  });

  // PostgreSQL: a pool whose every connection is busy (a reconnect storm's reads) does not hold a commit.
  it.runIf(backend === 'postgres')('runs an urgent query (a live edit’s commit) while every pooled connection and its queue are busy', async () => {
    const finished: string[] = [];
    const reads = Array.from({ length: 15 }, (_, i) => db.sql`select pg_sleep(0.3), ${i}::int as i`.then(() => finished.push(`read ${i}`)));
    // Every pooled connection is taken and five reads wait in the pool's queue.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await db.sql.urgent`select ${1}::int as one`;
    finished.push('commit');
    await Promise.all(reads);
    expect(finished[0]).toBe('commit');
  });

  it('gives the same database for urgent queries, with their results and errors', async () => {
    expect(await db.sql.urgent<{ one: number }>`select ${1}::int as one`).toEqual([{ one: 1 }]);
    await expect(db.sql.urgent`select * from no_such_table`).rejects.toThrow(/no_such_table/);
  });

  // Embedded PGlite only: PostgreSQL's queries never run on this thread.
  it.runIf(backend === 'pglite')('runs a query that finds the database idle at once, while a loop of queries still takes turns', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const loop = busyEventLoop(20);
    try {
      await db.sql`select ${1}::int as one`;
      const first = loop.turns();
      for (let i = 0; i < 4; i++) await db.sql`select ${i}::int as i`;
      expect(first).toBe(0);
      expect(loop.turns()).toBeGreaterThanOrEqual(4);
    } finally {
      loop.stop();
    }
  });

  // Embedded PGlite only: while a transaction is open every other query waits, a live edit's commit too.
  it.runIf(backend === 'pglite')('runs a short transaction’s queries without waiting for turns of a busy event loop, and lets a long one turn', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    const loop = busyEventLoop(10);
    try {
      const turnsBefore = loop.turns();
      await db.sql.begin(async (tx) => {
        for (let i = 0; i < 8; i++) await tx`select ${i}::int as i`;
      });
      const shortTurns = loop.turns() - turnsBefore;
      // A commit queued behind the transaction, as a keystroke's would be, waits for it and nothing else.
      expect(shortTurns).toBeLessThanOrEqual(1);

      const longBefore = loop.turns();
      await db.sql.begin(async (tx) => {
        for (let i = 0; i < 20; i++) await tx`select pg_sleep(0.002), ${i}::int as i`;
      });
      // 40 ms of queries: the loop still gets a turn every few milliseconds of them.
      expect(loop.turns() - longBefore).toBeGreaterThanOrEqual(4);
    } finally {
      loop.stop();
    }
  });

  it.runIf(backend === 'pglite')('refuses a query made through a transaction that has ended, and it changes nothing', async () => {
    let ended: typeof db.sql | null = null;
    await db.sql.begin(async (tx) => {
      ended = tx;
      await tx`select 1 as one`;
    });
    await expect(ended!`insert into things (id, name) values (90, 'too late')`).rejects.toThrow(/closed/);
    expect(await db.sql`select 1 from things where id = 90`).toHaveLength(0);
  });

  it('passes a JSON array as jsonb, not as a PostgreSQL array', async () => {
    await db.sql`insert into things (id, data) values (5, ${[{ b: 1 }, 'two']}::jsonb)`;
    const [row] = await db.sql<{ data: unknown }>`select data from things where id = 5`;
    expect(row.data).toEqual([{ b: 1 }, 'two']);
  });

  it('never splices values into the text: injection attempts stay data', async () => {
    await db.sql`insert into things (id, name) values (2, ${"x'); drop table things; --"})`;
    const rows = await db.sql<{ name: string }>`select name from things where id = 2`;
    expect(rows[0].name).toBe("x'); drop table things; --");
  });

  it('composes fragments with renumbered parameters', async () => {
    const conditions = [frag`id >= ${1}`, frag`name is not null`, frag`id <= ${2}`];
    const rows = await db.sql<{ id: number }>`select id from things where ${join(conditions, ' and ')} order by id`;
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('rolls back a transaction that throws, and commits one that returns', async () => {
    await expect(
      db.sql.begin(async (tx) => {
        await tx`insert into things (id, name) values (3, 'rolled back')`;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.sql`select 1 from things where id = 3`).toHaveLength(0);
    const result = await db.sql.begin(async (tx) => {
      await tx`insert into things (id, name) values (4, 'kept')`;
      return 'done';
    });
    expect(result).toBe('done');
    expect(await db.sql`select 1 from things where id = 4`).toHaveLength(1);
  });
});
