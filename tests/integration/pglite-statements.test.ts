import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PreparedStatements } from '../../server/db/pglite-statements.ts';

/** The statements PostgreSQL holds for this connection, by the names we give them. */
async function preparedNames(pg: PGlite): Promise<string[]> {
  const { rows } = await pg.query<{ name: string }>(`select name from pg_prepared_statements where name like 'warroom_%' order by name`);
  return rows.map((row) => row.name);
}

describe('PGlite queries as prepared statements', () => {
  let pg: PGlite;
  let statements: PreparedStatements;

  beforeAll(async () => {
    pg = await PGlite.create();
    await pg.exec(`create table items (id text primary key, n int not null, body bytea)`);
    statements = new PreparedStatements(pg);
  });
  afterAll(async () => {
    await pg?.close();
  });

  it('prepares a text once and runs it again with new values, typed by its parameters', async () => {
    const before = (await preparedNames(pg)).length;
    for (let i = 0; i < 5; i++) {
      await statements.run('insert into items (id, n, body) values ($1, $2, $3)', [`a${i}`, i, new Uint8Array([i, 255])]);
    }
    const rows = await statements.run('select id, n, body from items where n >= $1 order by n', [3]);

    expect(rows).toEqual([
      { id: 'a3', n: 3, body: new Uint8Array([3, 255]) },
      { id: 'a4', n: 4, body: new Uint8Array([4, 255]) },
    ]);
    expect((await preparedNames(pg)).length - before).toBe(2);
  });

  it('reads bytea as the bytes stored, each in a buffer of its own, and every other column as PGlite itself reads it', async () => {
    await pg.exec(`create table typed (id int primary key, data bytea, label text, doc jsonb, at timestamptz, ok bool, big int8, ratio float8)`);
    const sizes = [0, 1, 255, 70_000, 1_500_000];
    for (const [i, size] of sizes.entries()) {
      const data = Uint8Array.from({ length: size }, (_, j) => (j * 31 + i) & 255);
      await statements.run('insert into typed values ($1, $2, $3, $4, $5, $6, $7, $8)', [i, data, `Störung ${i} 🔥`, { step: i, tags: ['a', 'ß'] }, new Date(Date.UTC(2026, 11, 7, i)), i % 2 === 0, 2 ** 40 + i, i / 3]);
    }
    await statements.run('insert into typed (id) values ($1)', [99]);
    const select = 'select data, id, label, doc, at, ok, big, ratio from typed order by id';

    const ours = await statements.run(select, []);
    const theirs = (await pg.query(select)).rows;

    expect(ours).toEqual(theirs);
    expect(ours.map((row) => (row.data as Uint8Array | null)?.byteLength ?? null)).toEqual([...sizes, null]);
    for (const row of ours.slice(0, sizes.length)) expect((row.data as Uint8Array).buffer.byteLength).toBe((row.data as Uint8Array).byteLength);
  });

  it('answers a failed statement that returns bytea with PostgreSQL’s error and goes on with the next one', async () => {
    await statements.run('insert into items (id, n, body) values ($1, $2, $3)', ['zero', 0, new Uint8Array([1])]);
    const failure = await statements.run('select body, 1 / n as ratio from items where id = $1', ['zero']).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Error);
    expect((failure as { code?: string }).code).toBe('22012');
    expect(String((failure as Error).message)).toMatch(/division by zero/);
    expect(await statements.run('select body from items where id = $1', ['zero'])).toEqual([{ body: new Uint8Array([1]) }]);
  });

  it('answers a failed execution with PostgreSQL’s error and goes on with the next one', async () => {
    await statements.run('insert into items (id, n) values ($1, $2)', ['dup', 1]);
    const failure = await statements.run('insert into items (id, n) values ($1, $2)', ['dup', 2]).catch((error: unknown) => error);

    expect((failure as { code?: string }).code).toBe('23505');
    expect(await statements.run('select n from items where id = $1', ['dup'])).toEqual([{ n: 1 }]);
  });

  it('keeps nothing of a text that does not parse', async () => {
    const before = statements.size;
    const failure = await statements.run('selec 1', []).catch((error: unknown) => error);

    expect((failure as { code?: string }).code).toBe('42601');
    expect(statements.size).toBe(before);
    expect(await statements.run('select 1 as one', [])).toEqual([{ one: 1 }]);
  });

  it('prepares again, once, a statement whose table changed shape since', async () => {
    await statements.run('select * from items where id = $1', ['a1']);
    await pg.exec(`alter table items add column note text`);

    const before = await preparedNames(pg);
    const [row] = await statements.run('select * from items where id = $1', ['a1']);
    // The stale statement is closed with the next execution.
    await statements.run('select 1 as one', []);

    expect(Object.keys(row)).toEqual(['id', 'n', 'body', 'note']);
    expect((await preparedNames(pg)).length).toBe(before.length);
  });

  it('runs inside a transaction that rolls back, and a query from outside waits for the transaction to end', async () => {
    let outside: Promise<unknown[]> | null = null;
    await pg.transaction(async (tx) => {
      await statements.run('insert into items (id, n) values ($1, $2)', ['rolled-back', 9], true);
      outside = statements.run('select count(*)::int as n from items where id = $1', ['rolled-back']);
      expect(await statements.run('select count(*)::int as n from items where id = $1', ['rolled-back'], true)).toEqual([{ n: 1 }]);
      await tx.rollback();
    });

    expect(await outside).toEqual([{ n: 0 }]);
  });

  it('closes the least recently used statements beyond the ones it keeps', async () => {
    for (let i = 0; i < 520; i++) await statements.run(`select $1::int + ${i} as n`, [1]);
    // The closes go out ahead of the next execution.
    await statements.run('select 1 as one', []);

    expect(statements.size).toBe(500);
    expect((await preparedNames(pg)).length).toBe(500);
  });

  it('says the database is closed when it is', async () => {
    const closing = await PGlite.create();
    const onClosed = new PreparedStatements(closing);
    await onClosed.run('select 1 as one', []);
    await closing.close();

    await expect(onClosed.run('select 1 as one', [])).rejects.toThrow(/closed/i);
  });
});
