/**
 * `npm run serve` checks the Node version, then becomes the server with the
 * environment it should start with (scripts/server-env.js): what a service
 * manager started, signals and watches is the server itself. A preloaded
 * module reports each Node process as it starts, before its own code runs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../scripts/server-env.js';

const root = join(import.meta.dirname, '..', '..');
const REPORT = join(root, 'tests', 'helpers', 'report-process.mjs');

interface Report {
  pid: number;
  script: string;
  mmapThreshold: string | null;
  execArgv: string[];
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs `node scripts/serve.js` until the server's own process has reported, then stops it with SIGTERM. */
async function serve(env: Record<string, string>): Promise<{ launcherPid: number; reports: Report[]; exit: { code: number | null; signal: string | null } }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warroom-serve-'));
  dirs.push(dataDir);
  const launched = spawn(process.execPath, ['scripts/serve.js'], {
    cwd: root,
    env: { ...process.env, MALLOC_MMAP_THRESHOLD_: undefined, NODE_OPTIONS: `--import=${REPORT}`, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => launched.once('exit', (code, signal) => resolve({ code, signal })));
  const reports: Report[] = [];
  const timer = setTimeout(() => launched.kill('SIGKILL'), 30_000);
  for await (const line of createInterface({ input: launched.stdout! })) {
    if (!line.startsWith('{"preload"')) continue;
    reports.push(JSON.parse(line) as Report);
    if (reports.at(-1)!.script.endsWith(join('server', 'main.ts'))) break;
  }
  launched.kill('SIGTERM');
  const result = await exit;
  clearTimeout(timer);
  return { launcherPid: launched.pid!, reports, exit: result };
}

describe('npm run serve', () => {
  it('becomes the server, which starts with the allocator settings and the server flags', async () => {
    const { launcherPid, reports } = await serve({});
    expect(reports.map((report) => [report.pid, report.script.endsWith('serve.js') ? 'serve.js' : 'main.ts', report.mmapThreshold])).toEqual([
      [launcherPid, 'serve.js', null],
      [launcherPid, 'main.ts', '131072'],
    ]);
    // The garbage collector's settings among them (see server-env.js), which a server started some other way would lack.
    expect(reports.at(-1)!.execArgv).toEqual(SERVER_NODE_FLAGS);
  });

  it("keeps a deployment's own allocator setting", async () => {
    const { reports } = await serve({ MALLOC_MMAP_THRESHOLD_: '65536' });
    expect(reports.at(-1)).toMatchObject({ mmapThreshold: '65536' });
  });

  it('on a Node without execve starts the server as a child and passes a stop on to it', async () => {
    const { launcherPid, reports, exit } = await serve({ DROP_EXECVE: '1' });
    const server = reports.at(-1)!;
    expect(server.pid).not.toBe(launcherPid);
    expect(server.mmapThreshold).toBe('131072');
    // The launcher exits once its server has: the server's process is gone too.
    expect(exit.code).not.toBeNull();
    expect(() => process.kill(server.pid, 0)).toThrow();
  });
});
