/**
 * One process per embedded-database directory. PGlite is PostgreSQL inside
 * this process, with no server to arbitrate: a second process opening the same
 * files would corrupt them. The lock is a file holding the owner's pid,
 * created exclusively; a file left by a process that no longer runs (a crash,
 * kill -9) is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLocked extends Error {}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock or throws DataDirLocked naming the process that holds it; returns the release. */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, 'warroom.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && running(holder)) {
        throw new DataDirLocked(
          `another Warroom process (pid ${holder}) is using the embedded database in ${dir}; run one process per DATA_DIR, or set DATABASE_URL and REDIS_URL to run several`,
        );
      }
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return () => {
      try {
        if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    };
  }
  throw new DataDirLocked(`could not take the lock file ${path}; remove it if no Warroom process is running`);
}
