/**
 * A stock client on a busy device (its own process, its event loop doing
 * 80 ms of other work every turn) in a room where someone types fast: the
 * server sees from the presence it echoes late that it is behind, and sends
 * it merged updates every few tens of milliseconds instead of a frame per
 * keystroke. It must still end with every keystroke.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectProvider, newDocument, waitFor, wsUrl, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';

const CHILD = join(import.meta.dirname, '..', 'helpers', 'slow-reader-child.ts');
const KEYSTROKES = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startSlowReader(server: TestServer, docId: string, cookie: string) {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', CHILD], {
    env: { ...process.env, WS_URL: wsUrl(server.url), DOC_ID: docId, COOKIE: cookie, ORIGIN: server.url, BUSY_MS: '80' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value as string);
  return {
    synced: () => next() as Promise<{ synced: true }>,
    report: async () => {
      child.stdin!.write('report\n');
      return (await next()) as { updateFrames: number; text: string };
    },
    kill: () => child.kill('SIGKILL'),
  };
}

describe.each(backends)('a reader that cannot keep up (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cookie: string;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cookie = (await withAdmin(server)).admin.client.cookie!;
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  it('gets merged updates instead of a frame per keystroke, and every keystroke', { timeout: 60_000 }, async () => {
    const docId = await newDocument(db.sql);
    const writer = connectProvider(server.url, docId, cookie);
    const watcher = connectProvider(server.url, docId, cookie);
    providers.push(writer, watcher);
    await Promise.all([writer.synced(), watcher.synced()]);
    const slow = startSlowReader(server, docId, cookie);
    try {
      await slow.synced();
      // Typing 100 characters a second and moving the cursor with each: the presence the slow reader echoes says how late it is.
      const text = writer.doc.getText('t');
      for (let i = 0; i < KEYSTROKES; i++) {
        text.insert(text.length, String.fromCharCode(97 + (i % 26)));
        writer.provider.awareness.setLocalStateField('cursor', i);
        await sleep(10);
      }
      const typed = text.toString();
      await waitFor(() => watcher.doc.getText('t').toString() === typed, 'the watcher to have every keystroke');
      // The slow reader gets through its backlog a turn at a time.
      let report = await slow.report();
      for (let i = 0; i < 20 && report.text !== typed; i++) {
        await sleep(250);
        report = await slow.report();
      }
      expect(report.text).toBe(typed);
      // One frame per keystroke without; at most one per 50 ms (and the first few) with.
      expect(report.updateFrames).toBeLessThan(KEYSTROKES / 2);
    } finally {
      slow.kill();
    }
  });
});
