/**
 * A new embedded database is created in a child process, then opened here.
 * Creating one runs PostgreSQL's initdb in its own WebAssembly instance, and
 * in the server's process that memory stayed: a first start sat at about
 * 750 MiB resident, a restart on the same directory at about 340 MiB (in a
 * worker thread, 450 MiB: the thread's freed memory stayed with the
 * process's allocator). A child's memory goes back to the system when it
 * exits. Only the first start pays for it (about half a second more).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Whether `dir` already holds a database (PostgreSQL writes PG_VERSION when it creates one). */
export const holdsDatabase = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

/** Creates the database in `dir` in a child process, if it has none yet. */
export async function createInChildProcess(dir: string): Promise<void> {
  if (holdsDatabase(dir)) return;
  const child = fork(new URL('./pglite-first-start-child.ts', import.meta.url), [dir], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`creating the embedded database in ${dir} failed (exit ${code}): ${stderr.trim() || 'no message'}`);
}
