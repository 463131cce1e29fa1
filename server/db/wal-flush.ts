/**
 * Embedded PostgreSQL's WAL flushes, taken off the event loop. PGlite runs
 * PostgreSQL on the server's own thread, so each commit's fsync of the WAL
 * blocked everything (4–16 ms per commit measured on a loaded VM disk: about
 * nine tenths of a small commit), and no socket was read or written
 * meanwhile. Here a WAL fsync that PostgreSQL asks for only records the file;
 * the driver then flushes the recorded files on libuv's thread pool and
 * hands a query's result to its caller only once the WAL it wrote is on
 * disk. So a caller still never sees a commit that an OS crash could undo,
 * and the next query runs while the previous one's flush is in flight.
 *
 * WAL before data still holds on disk: any other file's fsync (a checkpoint
 * writing data files and pg_control) first flushes the recorded WAL files,
 * synchronously, as PostgreSQL expects of its own WAL flush. A kill -9 is
 * unaffected either way: what PostgreSQL wrote is in the OS page cache.
 *
 * And before any data-file write: PostgreSQL asks for the WAL flush of a
 * page's changes just before writing the page (a buffer evicted mid-query,
 * a checkpoint's writes), and the OS may write that page back to the disk
 * before any fsync; were the WAL flush still only recorded, an OS crash then
 * could leave the page ahead of its WAL. Data files are written on eviction,
 * relation growth and checkpoints, not on every commit, so this costs an
 * fsync on the thread now and then.
 *
 * A failed flush makes every later query fail: after an fsync error the OS
 * may have dropped the dirty pages, so nothing written since can be
 * promised durable (PostgreSQL itself stops on it).
 */
import { closeSync, fdatasync, fdatasyncSync, fsyncSync, openSync, readlinkSync } from 'node:fs';

/** How files reach the disk; tests replace these to count or hold flushes. */
export const walFiles = {
  syncNow: (fd: number) => fsyncSync(fd),
  syncPathNow: (path: string) => syncPath(path),
  /**
   * One trip to the thread pool: opening and closing a file the kernel has
   * just written costs microseconds, while each trip is a turn of an event
   * loop that may be busy with other work (a large change applied in
   * slices) before the commit waiting on it can go on.
   */
  flushPath: (path: string): Promise<void> =>
    new Promise((resolve, reject) => {
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (error) {
        return reject(error);
      }
      fdatasync(fd, (error) => {
        closeSync(fd);
        if (error) reject(error);
        else resolve();
      });
    }),
};

const ZEROS = Buffer.alloc(64 * 1024);

function allZero(bytes: Uint8Array): boolean {
  for (let at = 0; at < bytes.byteLength; at += ZEROS.byteLength) {
    const chunk = bytes.subarray(at, Math.min(bytes.byteLength, at + ZEROS.byteLength));
    if (Buffer.compare(chunk, ZEROS.subarray(0, chunk.byteLength)) !== 0) return false;
  }
  return true;
}

function syncPath(path: string): void {
  // A file removed since it was written was recycled by a checkpoint, which flushed it first (see below).
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Whether a path inside the embedded database is a WAL segment. */
export const isWal = (virtualPath: string | undefined) => virtualPath?.includes('/pg_wal/') ?? false;

/** Flushes running beside each other at most; a commit finding this many waits for the newest and starts its own after. */
const PARALLEL_FLUSHES = 2;

interface Flush {
  /** The flush requests it covers: every one recorded before it began. */
  upTo: number;
  done: Promise<void>;
}

export class WalFlusher {
  /** Real paths of WAL files written since their last flush began. */
  #dirty = new Set<string>();
  /** Paths whose flush on the thread pool has begun and not yet finished, with how many such flushes. */
  #inFlight = new Map<string, number>();
  #flushes = new Set<Flush>();
  /** Flush requests recorded so far, and how many of them are known to be on disk. */
  #requested = 0;
  #durable = 0;
  #failure: Error | null = null;

  /** PostgreSQL's fsync of a file: WAL is recorded for later, anything else synced now (WAL first). */
  fsync(fd: number, virtualPath: string | undefined): void {
    if (this.#failure) throw this.#failure;
    const path = isWal(virtualPath) ? realPath(fd) : null;
    if (path) {
      this.#dirty.add(path);
      this.#requested++;
      return;
    }
    this.syncNow();
    walFiles.syncNow(fd);
  }

  /**
   * A data file is about to be written: the WAL PostgreSQL has asked to flush
   * goes to the disk first. Except when the bytes are all zero: that is a
   * relation growing (PostgreSQL extends a file with zeroed pages and writes
   * their contents later, on eviction or at a checkpoint, flushing their WAL
   * then), and PostgreSQL itself extends files without flushing any WAL, as a
   * zeroed page on disk after a crash is just an unused page. While large
   * changes were stored these extensions were most data-file writes, each an
   * fsync of the WAL on the event loop.
   */
  beforeDataWrite(bytes: Uint8Array): void {
    if (this.#failure) throw this.#failure;
    // Most writes find no WAL waiting: then the bytes need not be looked at.
    if (!this.#walWaiting() || allZero(bytes)) return;
    this.syncNow();
  }

  /**
   * Whether any WAL flush PostgreSQL asked for is not yet known to be on
   * disk. Not "whether a flush is still running": once the thread has synced
   * the WAL, a flush still running off the thread promises nothing more, and
   * syncing it again before every page written meanwhile cost a large room's
   * reload one fdatasync per evicted page (24 of 7.7 ms each in one read of
   * its stored segments, all on the event loop).
   */
  #walWaiting(): boolean {
    return this.#durable < this.#requested;
  }

  /**
   * Flushes every recorded WAL file on this thread (before a data file's fsync, and before closing),
   * those whose flush is still running on the thread pool too: a data file must not reach the disk
   * before the WAL that describes it, and that flush may not have happened yet.
   */
  syncNow(): void {
    if (!this.#walWaiting()) return;
    const upTo = this.#requested;
    for (const path of new Set([...this.#inFlight.keys(), ...this.#dirty])) walFiles.syncPathNow(path);
    this.#dirty.clear();
    this.#durable = Math.max(this.#durable, upTo);
  }

  /** Resolves once every WAL write recorded before this call is on disk; rejects if a flush failed. */
  durable(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const target = this.#requested;
    if (this.#durable >= target) return Promise.resolve();
    return this.#until(target);
  }

  /**
   * A flush that began after the request covers it. One that began before
   * does not, and waiting for it to end before starting another added its
   * remaining time to the commit's: while a member's large changes kept the
   * disk busy, a keystroke's commit waited for two flushes of 40–90 ms each,
   * one after the other. So the next flush starts beside it; an fdatasync
   * returns once everything written to the file before the call is on disk,
   * whichever call started writing it.
   */
  async #until(target: number): Promise<void> {
    // Bounded: each pass waits for a flush, and the last ones began after this request.
    for (let pass = 0; pass < 1000 && this.#durable < target && !this.#failure; pass++) {
      const flushes = [...this.#flushes];
      const covering = flushes.find((flush) => flush.upTo >= target);
      const newest = flushes.reduce<Flush | null>((last, flush) => (last && last.upTo >= flush.upTo ? last : flush), null);
      const waitFor = covering ?? (flushes.length >= PARALLEL_FLUSHES ? newest! : this.#startFlush());
      await waitFor.done.catch(() => {});
    }
    if (this.#failure) throw this.#failure;
  }

  #startFlush(): Flush {
    const upTo = this.#requested;
    // Files still being flushed are flushed again: their flush began before some of the writes this one must cover.
    const paths = [...new Set([...this.#dirty, ...this.#inFlight.keys()])];
    this.#dirty.clear();
    for (const path of paths) this.#inFlight.set(path, (this.#inFlight.get(path) ?? 0) + 1);
    const flush: Flush = { upTo, done: Promise.resolve() };
    flush.done = (async () => {
      try {
        await Promise.all(
          paths.map((path) =>
            walFiles.flushPath(path).catch((error: NodeJS.ErrnoException) => {
              // Recycled by a checkpoint meanwhile, which flushed it first.
              if (error.code !== 'ENOENT') throw error;
            }),
          ),
        );
        this.#durable = Math.max(this.#durable, upTo);
      } catch (error) {
        this.#failure ??= new Error(`flushing the embedded database's WAL failed; nothing written since can be promised durable: ${(error as Error).message}`, { cause: error });
        throw this.#failure;
      } finally {
        for (const path of paths) {
          const left = this.#inFlight.get(path)! - 1;
          if (left > 0) this.#inFlight.set(path, left);
          else this.#inFlight.delete(path);
        }
        this.#flushes.delete(flush);
      }
    })();
    this.#flushes.add(flush);
    return flush;
  }
}

/** The file behind a node file descriptor (Linux); null elsewhere, where the WAL is then synced at once. */
function realPath(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}
