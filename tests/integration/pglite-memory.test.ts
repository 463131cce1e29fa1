/**
 * Embedded PGlite's memory is WebAssembly memory, which never shrinks, and
 * PostgreSQL's buffer pool in it is resident from the start. The server opens
 * it with a small pool: what stays resident for the life of the process is a
 * fixed, small share of the server's memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';

const MiB = 2 ** 20;

describe('embedded PGlite memory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-pglite-memory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const [where, dataDir] of [
    ['on disk, as the server opens it', dir],
    ['in memory, as the tests open it', undefined],
  ] as const) {
    it(`keeps a 16 MB buffer pool and its WebAssembly memory at the initial 128 MiB (${where})`, async () => {
      const db = await openDatabase({ dataDir });
      try {
        const [{ shared_buffers: pool }] = await db.sql<{ shared_buffers: string }>`show shared_buffers`;
        const [{ wal_buffers: wal }] = await db.sql<{ wal_buffers: string }>`show wal_buffers`;
        expect([pool, wal]).toEqual(['16MB', '4MB']);
        // Writing and reading back more than the pool holds does not grow it: pages go through the pool.
        await db.sql`create table filler (data text)`;
        await db.sql`insert into filler select repeat('x', 2000) from generate_series(1, 20000)`;
        const [{ n }] = await db.sql<{ n: number }>`select count(*)::int as n from filler where data like 'x%'`;
        expect(n).toBe(20_000);
        expect(db.wasmMemoryBytes()).toBe(128 * MiB);
      } finally {
        await db.close();
      }
    });
  }
});
