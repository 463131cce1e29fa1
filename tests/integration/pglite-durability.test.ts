/**
 * Embedded PGlite on disk is durable against an OS crash: PostgreSQL runs
 * with fsync on and flushes its WAL with fsync(), which our file system layer
 * turns into a real fsync of the file (PGlite's own makes it a no-op), done
 * off the event loop. A power cut cannot be staged in a test, so this checks
 * the settings, that a commit's result waits for its WAL to be flushed, and
 * that the server's thread keeps running meanwhile (`strace -f -e
 * trace=fdatasync` shows the flushes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/db/database.ts';
import { walFiles } from '../../server/db/wal-flush.ts';

describe('embedded PGlite on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-durable-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('commits with fsync on, reports a commit only once its WAL is flushed (off the event loop), and reopens what it committed', async () => {
    const db = await openDatabase({ dataDir: dir });
    const [{ fsync }] = await db.sql<{ fsync: string }>`show fsync`;
    const [{ wal_sync_method: method }] = await db.sql<{ wal_sync_method: string }>`show wal_sync_method`;
    expect([fsync, method]).toEqual(['on', 'fsync']);
    await db.sql`create table kept (v text)`;
    const flushPath = walFiles.flushPath;
    const flushed: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    walFiles.flushPath = async (path) => {
      await held;
      await flushPath(path);
      flushed.push(path);
    };
    try {
      let committed = false;
      const insert = db.sql`insert into kept values ('committed')`.then(() => (committed = true));
      // The flush is held: the event loop goes on turning, and the commit is not reported yet.
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(committed).toBe(false);
      release();
      await insert;
      expect(committed).toBe(true);
    } finally {
      walFiles.flushPath = flushPath;
    }
    expect(flushed.some((path) => path.includes('/pg_wal/'))).toBe(true);
    await db.close();
    const reopened = await openDatabase({ dataDir: dir });
    expect(await reopened.sql`select v from kept`).toEqual([{ v: 'committed' }]);
    await reopened.close();
  });

  it('runs a query queued behind a live edit’s commit only once that edit has been sent (its WAL flushed), not on this thread meanwhile', async () => {
    const db = await openDatabase({ dataDir: dir });
    await db.sql`create table edits (n int)`;
    const flushPath = walFiles.flushPath;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    walFiles.flushPath = async (path) => {
      await held;
      await flushPath(path);
    };
    try {
      // As a room does: once the commit is reported, the edit goes out at the end of that turn (see fan-out.ts).
      let sentAt = 0;
      const sent = db.sql.urgent`insert into edits values (1)`.then(() => new Promise<void>((resolve) => setImmediate(() => resolve(void (sentAt = Date.now())))));
      // A long read queued right behind it (a publication's search statement): it holds the thread while it runs.
      const read = db.sql<{ ran_at: Date }>`select clock_timestamp() as ran_at, pg_sleep(0.03)`;
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      // Long enough that a read run meanwhile could not pass for one run after (the clocks count milliseconds).
      await new Promise((resolve) => setTimeout(resolve, 30));
      release();
      await sent;
      const [{ ran_at: ranAt }] = await read;
      // Otherwise the edit would be sent to its room only after the read, however long it runs.
      expect(ranAt.getTime()).toBeGreaterThanOrEqual(sentAt);
    } finally {
      walFiles.flushPath = flushPath;
    }
    await db.close();
  });

  it('stores large rows while small commits go on without flushing WAL on the event loop for the files growing', async () => {
    const db = await openDatabase({ dataDir: dir });
    await db.sql`create table large (data bytea)`;
    await db.sql`create table small (n int)`;
    const syncPathNow = walFiles.syncPathNow;
    let onTheEventLoop = 0;
    walFiles.syncPathNow = (path) => {
      onTheEventLoop++;
      syncPathNow(path);
    };
    try {
      const small = (async () => {
        for (let n = 0; n < 200; n++) await db.sql`insert into small values (${n})`;
      })();
      for (let i = 0; i < 20; i++) {
        const data = new Uint8Array(330_000).map((_, j) => (i + j) % 251);
        await db.sql`insert into large values (${data})`;
      }
      await small;
    } finally {
      walFiles.syncPathNow = syncPathNow;
    }
    // The tables' files grew by zeroed pages the whole time: before, each growth flushed the WAL here (16-31 times).
    expect(onTheEventLoop).toBe(0);
    expect(await db.sql`select count(*)::int as n from large`).toEqual([{ n: 20 }]);
    await db.close();
  });
});
