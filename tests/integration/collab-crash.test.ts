/**
 * The durability property, end to end: the server is a child process that we
 * SIGKILL at a random moment while two clients write as fast as they can and
 * a third watches. After a restart on the same database, every update that
 * any client had received from the server (i.e. that someone else wrote) must
 * be in the document. CRASH_ITERATIONS=20 runs more kills locally.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { connectProvider, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 3);
const DOC_ID = 'crash-doc';
const CHILD = join(import.meta.dirname, '..', 'helpers', 'collab-child.ts');

function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', CHILD], {
    env: { ...process.env, COLLAB_MESSAGES_PER_SECOND: '100000', COLLAB_WRITE_BYTES_PER_SECOND: '1073741824', COLLAB_DOC_ID: DOC_ID, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    // A child that never said it started is killed: left running, it would hold the data directory's lock.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the child server did not start within 30 s'));
    }, 30_000);
    child.once('exit', (code) => reject(new Error(`the child server exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, url: JSON.parse(line).url });
    });
  });
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));

describe.each(backends)('crash safety (%s)', (backend) => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let running: ChildProcess | undefined;
  const providers: TestProvider[] = [];

  afterAll(async () => {
    for (const p of providers) p.destroy();
    running?.kill('SIGKILL');
    if (running) await exited(running);
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`keeps every update another client received across ${ITERATIONS} SIGKILLs`, { timeout: 60_000 + ITERATIONS * 20_000 }, async () => {
    let env: Record<string, string>;
    if (backend === 'postgres') {
      db = await openTestDatabase('postgres');
      env = { DATABASE_URL: db.url!, DB_SCHEMA: db.schema! };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'warroom-crash-'));
      env = { DATA_DIR: dataDir };
    }
    /** Every item some client received from the server before a kill. */
    const received = new Set<string>();
    let cookie: string | null = null;
    let kills = 0;

    for (let iteration = 0; iteration <= ITERATIONS; iteration++) {
      const { child, url } = await startChild(env);
      running = child;
      if (!cookie) {
        const response = await fetch(`${url}/api/auth/signup`, {
          method: 'POST',
          headers: { origin: url, 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'crash@example.com', displayName: 'Crash', password: 'crash test passphrase' }),
        });
        expect(response.status).toBe(201);
        cookie = response.headers.getSetCookie()[0].split(';')[0];
      }

      const checker = connectProvider(url, DOC_ID, cookie);
      providers.push(checker);
      await checker.synced();
      const stored = new Set(checker.doc.getArray<string>('log').toArray());
      const lost = [...received].filter((item) => !stored.has(item));
      expect(lost, `after kill ${iteration}: ${lost.length} of ${received.size} received updates lost`).toEqual([]);
      checker.destroy();
      if (iteration === ITERATIONS) break;

      const writers = ['w1', 'w2'].map((name) => ({ name, client: connectProvider(url, DOC_ID, cookie) }));
      const watcher = connectProvider(url, DOC_ID, cookie);
      providers.push(watcher, ...writers.map((w) => w.client));
      await Promise.all([watcher.synced(), ...writers.map((w) => w.client.synced())]);

      let written = 0;
      const timers = writers.map(({ name, client }) => {
        let n = 0;
        return setInterval(() => {
          for (let burst = 0; burst < 3 && n < 3000; burst++) {
            client.doc.getArray<string>('log').push([`${iteration}-${name}-${n++}`]);
            written++;
          }
        }, 1);
      });
      const killAfterMs = 100 + Math.floor(Math.random() * 700);
      await new Promise((resolve) => setTimeout(resolve, killAfterMs));
      child.kill('SIGKILL');
      kills++;
      for (const timer of timers) clearInterval(timer);
      await exited(child);
      const all = [watcher, ...writers.map((w) => w.client)];
      await waitFor(() => all.every((p) => !p.provider.wsconnected), 'clients to notice the crash', 5000);

      let fromOthers = 0;
      for (const item of watcher.doc.getArray<string>('log').toArray()) {
        received.add(item);
        fromOthers++;
      }
      for (const { name, client } of writers) {
        for (const item of client.doc.getArray<string>('log').toArray()) if (!item.includes(`-${name}-`)) received.add(item);
      }
      // Logged so a failing run can be told apart from a run that killed before anything flowed.
      console.log(`[${backend}] kill ${kills} after ${killAfterMs} ms: ${written} written, ${fromOthers} in the watcher's copy, ${received.size} received in total`);
      for (const p of all) p.destroy();
    }
    expect(kills).toBe(ITERATIONS);
    expect(received.size).toBeGreaterThan(0);
    running!.kill('SIGTERM');
    await exited(running!);
    running = undefined;
  });
});
