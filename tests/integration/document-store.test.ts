import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlDocumentStore, type StoredUpdate } from '../../server/collab/storage.ts';
import type { Sql } from '../../server/db/sql.ts';
import { newDocument } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { observedSql } from '../helpers/observed-sql.ts';

/** `sql`, counting the statements sent through it (commits included). */
function counted(sql: Sql): { sql: Sql; statements: () => number } {
  let statements = 0;
  return { sql: observedSql(sql, () => statements++), statements: () => statements };
}

const row = (update: Uint8Array): StoredUpdate => ({ update, userId: null, receivedAt: new Date(), ids: { i: {}, d: {} } });
const bytes = (size: number, fill: number) => new Uint8Array(size).fill(fill);

describe.each(backends)('loading a stored document (%s)', (backend) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('reads a document that fits in a page in one statement: its segments, then the log after them', async () => {
    const docId = await newDocument(db.sql);
    const store = sqlDocumentStore(db.sql);
    const covered = await store.append(docId, [row(bytes(10, 1)), row(bytes(20, 2))]);
    await store.compact(docId, [bytes(5, 3), bytes(6, 4)], covered);
    const lastSeq = await store.append(docId, [row(bytes(7, 5)), row(bytes(8, 6))]);
    const reading = counted(db.sql);

    const loaded = await sqlDocumentStore(reading.sql).load(docId);

    expect(reading.statements()).toBe(1);
    expect(loaded.updates.map((update) => [update.byteLength, update[0]])).toEqual([[5, 3], [6, 4], [7, 5], [8, 6]]);
    expect(loaded).toMatchObject({ segmentCount: 2, lastSeq, logCount: 2, logBytes: 15 });
  });

  it('reads a document larger than a page in pages, to the same result', async () => {
    const docId = await newDocument(db.sql);
    const store = sqlDocumentStore(db.sql);
    const covered = await store.append(docId, [row(bytes(10, 1))]);
    await store.compact(docId, [bytes(1024 * 1024, 2), bytes(1024 * 1024, 3)], covered);
    const lastSeq = await store.append(docId, [row(bytes(1024 * 1024, 4)), row(bytes(9, 5))]);
    const reading = counted(db.sql);

    const loaded = await sqlDocumentStore(reading.sql).load(docId);

    expect(reading.statements()).toBeGreaterThan(1);
    expect(loaded.updates.map((update) => [update.byteLength, update[0]])).toEqual([[1024 * 1024, 2], [1024 * 1024, 3], [1024 * 1024, 4], [9, 5]]);
    expect(loaded).toMatchObject({ segmentCount: 2, lastSeq, logCount: 2, logBytes: 1024 * 1024 + 9 });
  });

  it('brings at most a page of bytes per statement, a large segment alone', async () => {
    // Every war room's commits wait for a PGlite statement running: a page is 256 KiB, one row larger than that comes alone.
    const docId = await newDocument(db.sql);
    const store = sqlDocumentStore(db.sql);
    // As a compaction writes them: one segment per log row at most.
    let covered = 0;
    for (let i = 0; i < 21; i++) covered = await store.append(docId, [row(bytes(10, i))]);
    const segments = [...Array.from({ length: 20 }, (_, i) => bytes(100 * 1024, i)), bytes(600 * 1024, 20)];
    await store.compact(docId, segments, covered);
    const sizes: number[] = [];
    const reading = observedSql(db.sql, (_strings, result) => {
      void result.then((rows) => {
        const data = (rows as { data?: Uint8Array | null }[]).map((r) => r.data?.byteLength ?? 0);
        sizes.push(data.reduce((sum, n) => sum + n, 0));
      });
    });

    const loaded = await sqlDocumentStore(reading).load(docId);

    expect(loaded.updates.map((update) => [update.byteLength, update[0]])).toEqual(segments.map((segment) => [segment.byteLength, segment[0]]));
    expect(Math.max(...sizes.filter((size) => size !== 600 * 1024))).toBeLessThanOrEqual(256 * 1024);
    expect(sizes).toContain(600 * 1024);
  });

  it('copies the log into history a hundred rows per statement before compacting, and the compaction keeps one copy of each', async () => {
    const docId = await newDocument(db.sql);
    const store = sqlDocumentStore(db.sql);
    let covered = 0;
    for (let i = 0; i < 250; i++) covered = await store.append(docId, [row(bytes(3, i % 256))]);
    const copying = counted(db.sql);
    const archiving = sqlDocumentStore(copying.sql);

    await archiving.archive!(docId, covered);
    expect(copying.statements()).toBe(3);
    await archiving.compact(docId, [bytes(4, 9)], covered);

    const [history] = await db.sql<{ rows: number; seqs: number; bytes: number }>`
      select count(*)::int as rows, count(distinct seq)::int as seqs, sum(bytes)::int as bytes from document_history where doc_id = ${docId}`;
    expect(history).toEqual({ rows: 250, seqs: 250, bytes: 750 });
    const [log] = await db.sql<{ rows: number }>`select count(*)::int as rows from document_updates where doc_id = ${docId}`;
    expect(log.rows).toBe(0);
  });

  it('finishes a copy into history that a crash interrupted, without copying a row twice', async () => {
    const docId = await newDocument(db.sql);
    const before = sqlDocumentStore(db.sql);
    let covered = 0;
    for (let i = 0; i < 150; i++) covered = await before.append(docId, [row(bytes(2, 1))]);
    await before.archive!(docId, covered - 50);
    // A new process: it knows nothing of what was copied.
    const after = sqlDocumentStore(db.sql);
    await after.compact(docId, [bytes(4, 9)], covered);

    const [history] = await db.sql<{ rows: number; seqs: number }>`
      select count(*)::int as rows, count(distinct seq)::int as seqs from document_history where doc_id = ${docId}`;
    expect(history).toEqual({ rows: 150, seqs: 150 });
    expect((await after.load(docId)).updates.map((update) => update[0])).toEqual([9]);
  });

  it('reads a new document as empty', async () => {
    const loaded = await sqlDocumentStore(db.sql).load(await newDocument(db.sql));

    expect(loaded).toEqual({ updates: [], segmentCount: 0, lastSeq: 0, logCount: 0, logBytes: 0 });
  });
});

describe.each(backends)('storing a large change (%s)', (backend) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  // Compressing it is work on the committing statement (on the server's own thread with PGlite) that everyone else's commits wait behind.
  it('keeps its bytes as they came, uncompressed, and reads them back unchanged', async () => {
    const docId = await newDocument(db.sql);
    const store = sqlDocumentStore(db.sql);
    const change = new TextEncoder().encode('Entry: checked the dashboards again. '.repeat(9000));
    await store.append(docId, [row(change)]);

    const [stored] = await db.sql<{ compression: string | null; bytes: number }>`
      select pg_column_compression(update) as compression, octet_length(update) as bytes from document_updates where doc_id = ${docId}`;
    const loaded = await store.load(docId);

    expect(stored).toEqual({ compression: null, bytes: change.byteLength });
    expect(loaded.updates.map((update) => new Uint8Array(update))).toEqual([change]);
  });
});
