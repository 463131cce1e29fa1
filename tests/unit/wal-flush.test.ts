import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalFlusher, walFiles } from '../../server/db/wal-flush.ts';
import { busyEventLoop } from '../helpers/busy-event-loop.ts';

describe('the embedded database WAL flusher', () => {
  let dir: string;
  let fds: number[];
  const saved = { ...walFiles };
  const calls: string[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-flush-'));
    mkdirSync(join(dir, 'pg_wal'));
    mkdirSync(join(dir, 'base'));
    fds = [];
    calls.length = 0;
    walFiles.syncNow = (fd) => calls.push(`now fd`) && saved.syncNow(fd);
    walFiles.syncPathNow = (path) => calls.push(`now ${path.slice(dir.length)}`) && saved.syncPathNow(path);
    walFiles.flushPath = async (path) => {
      calls.push(`later ${path.slice(dir.length)}`);
      await saved.flushPath(path);
    };
  });
  afterEach(() => {
    Object.assign(walFiles, saved);
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (path: string) => {
    const fd = openSync(join(dir, path), 'w');
    fds.push(fd);
    return fd;
  };

  it('flushes WAL later, off the thread, and says when it is on disk', async () => {
    const wal = new WalFlusher();
    wal.fsync(file('pg_wal/0001'), '/pglite/data/pg_wal/0001');
    expect(calls).toEqual([]);
    await wal.durable();
    expect(calls).toEqual(['later /pg_wal/0001']);
    await wal.durable();
    expect(calls).toHaveLength(1);
  });

  it('flushes recorded WAL before any other file is synced, so WAL reaches the disk before the data it describes', () => {
    const wal = new WalFlusher();
    wal.fsync(file('pg_wal/0001'), '/pglite/data/pg_wal/0001');
    wal.fsync(file('base/16384'), '/pglite/data/base/16384');
    expect(calls).toEqual(['now /pg_wal/0001', 'now fd']);
  });

  it('flushes WAL whose flush is still running before any other file is synced', async () => {
    const wal = new WalFlusher();
    let finish = () => {};
    walFiles.flushPath = (path) => {
      calls.push(`later ${path.slice(dir.length)}`);
      return new Promise<void>((resolve) => (finish = resolve));
    };
    wal.fsync(file('pg_wal/0001'), '/pglite/data/pg_wal/0001');
    const durable = wal.durable();
    expect(calls).toEqual(['later /pg_wal/0001']);
    // A checkpoint syncs a data file while that flush is still on the thread pool.
    wal.fsync(file('base/16384'), '/pglite/data/base/16384');
    expect(calls).toEqual(['later /pg_wal/0001', 'now /pg_wal/0001', 'now fd']);
    finish();
    await durable;
  });

  it('starts the flush a later commit waits for beside one already running, covering that file too, instead of after it', async () => {
    const wal = new WalFlusher();
    const finish = new Map<string, () => void>();
    walFiles.flushPath = (path) => {
      const call = `later ${path.slice(dir.length)}`;
      calls.push(call);
      return new Promise<void>((resolve) => finish.set(`${call} #${calls.filter((c) => c === call).length}`, resolve));
    };
    wal.fsync(file('pg_wal/0001'), '/pglite/data/pg_wal/0001');
    let firstDone = false;
    const first = wal.durable().then(() => (firstDone = true));
    // More WAL, in the next file, while the first flush is still on the thread pool.
    wal.fsync(file('pg_wal/0002'), '/pglite/data/pg_wal/0002');
    let secondDone = false;
    const second = wal.durable().then(() => (secondDone = true));
    await new Promise((resolve) => setImmediate(resolve));

    expect(calls).toEqual(['later /pg_wal/0001', 'later /pg_wal/0002', 'later /pg_wal/0001']);
    finish.get('later /pg_wal/0002 #1')!();
    await new Promise((resolve) => setImmediate(resolve));
    // Its flush of 0001 began after the first commit's write too, but has not ended: nothing is durable yet.
    expect([firstDone, secondDone]).toEqual([false, false]);
    finish.get('later /pg_wal/0001 #2')!();
    await second;
    expect(secondDone).toBe(true);
    finish.get('later /pg_wal/0001 #1')!();
    await first;
  });

  it('flushes recorded WAL before a data file is written, so the OS cannot write the page back ahead of its WAL', () => {
    const wal = new WalFlusher();
    const page = new Uint8Array(8192);
    page[100] = 1;
    wal.beforeDataWrite(page);
    expect(calls).toEqual([]);
    wal.fsync(file('pg_wal/0001'), '/pglite/data/pg_wal/0001');
    wal.beforeDataWrite(page);
    expect(calls).toEqual(['now /pg_wal/0001']);
    wal.beforeDataWrite(page);
    expect(calls).toHaveLength(1);
  });

  it('syncs WAL whose flush is still running once before data is written, not again before every page after it', async () => {
    const wal = new WalFlusher();
    let finish = () => {};
    walFiles.flushPath = (path) => {
      calls.push(`later ${path.slice(dir.length)}`);
      return new Promise<void>((resolve) => (finish = resolve));
    };
    const page = new Uint8Array(8192);
    page[100] = 1;
    wal.fsync(file('pg_wal/0001'), '/pglite/data/pg_wal/0001');
    const durable = wal.durable();
    // A query evicting one page after another while the commit's flush is still on the thread pool.
    for (let i = 0; i < 5; i++) wal.beforeDataWrite(page);
    expect(calls).toEqual(['later /pg_wal/0001', 'now /pg_wal/0001']);
    // New WAL asked to be flushed is synced before the next page again.
    wal.fsync(file('pg_wal/0002'), '/pglite/data/pg_wal/0002');
    wal.beforeDataWrite(page);
    wal.beforeDataWrite(page);
    expect(calls.slice(2).sort()).toEqual(['now /pg_wal/0001', 'now /pg_wal/0002']);
    finish();
    await durable;
  });

  it('lets a file grow by zeroed pages without flushing WAL first, as PostgreSQL does', () => {
    const wal = new WalFlusher();
    wal.fsync(file('pg_wal/0001'), '/pglite/data/pg_wal/0001');
    wal.beforeDataWrite(new Uint8Array(8 * 8192));
    expect(calls).toEqual([]);
    // One byte set anywhere, past the first chunk compared too, is a page with contents.
    const pages = new Uint8Array(16 * 8192);
    pages[pages.length - 1] = 7;
    wal.beforeDataWrite(pages);
    expect(calls).toEqual(['now /pg_wal/0001']);
  });

  it('after a failed flush, refuses to promise anything durable again', async () => {
    const wal = new WalFlusher();
    walFiles.flushPath = async () => {
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    };
    wal.fsync(file('pg_wal/0001'), '/pglite/data/pg_wal/0001');
    await expect(wal.durable()).rejects.toThrow(/nothing written since can be promised durable/);
    await expect(wal.durable()).rejects.toThrow(/i\/o error/);
    expect(() => wal.fsync(fds[0], '/pglite/data/pg_wal/0001')).toThrow();
  });
});

describe('flushing a WAL file while the event loop is busy', () => {
  it('waits one turn of the event loop, not one per step (open, flush, close)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-flush-'));
    const path = join(dir, '0001');
    writeFileSync(path, 'WAL record');
    const loop = busyEventLoop(30);
    try {
      await walFiles.flushPath(path);
      expect(loop.turns()).toBeLessThanOrEqual(2);
    } finally {
      loop.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
