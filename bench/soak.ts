/**
 * Soak: a SEV1 war room for ten minutes. 40 people × 5 tabs = 200 stock
 * y-websocket clients spread over several load processes, typing and moving
 * cursors at human rates (bench/soak-load.ts), against our server in its own
 * process. On Linux with taskset, the server gets core 0 and the load the
 * other cores, so the load generator is not what is measured.
 *
 *   npm run bench -- soak [--minutes 10] [--people 40] [--tabs 5] [--workers 4]
 *   DATABASE_URL=postgres://… npm run bench -- soak     (a throwaway schema; default: PGlite on disk in a temp dir)
 *
 * Reports: clients connected at the end and disconnects during the run,
 * convergence (every tab's copy equals a fresh client's), lines typed and
 * lost, delivery latency p50/p99/max of timeline lines at other people's
 * active tabs, server RSS at start / peak / end, and frames per second by kind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    people: { type: 'string', default: '40' },
    tabs: { type: 'string', default: '5' },
    workers: { type: 'string', default: '4' },
  },
});
const MINUTES = Number(args.minutes);
const PEOPLE = Number(args.people);
const TABS = Number(args.tabs);
const WORKERS = Number(args.workers);
const DOC_ID = 'soak-war-room';
const ROOT = join(import.meta.dirname, '..');
const NODE = [process.execPath, '--experimental-strip-types', '--disable-warning=ExperimentalWarning'];

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return cpus().length > 1;
  } catch {
    return false;
  }
})();
const pinned = (cores: string, command: string[]) => (hasTaskset ? ['taskset', '-c', cores, ...command] : command);
const loadCores = `1-${cpus().length - 1}`;

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** CPU seconds a process has used (user + system), from /proc: a latency figure means little if the load generator had no CPU left. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ is 100 on Linux)
}

const within = <T>(promise: Promise<T>, what: string, ms = 120_000) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out`)), ms).unref())]);

/** With DATABASE_URL, a throwaway schema of its own (dropped at the end), never the database's public one. */
const SCHEMA = process.env.DATABASE_URL ? `soak_${Date.now().toString(36)}` : null;
async function onPostgres(statement: string) {
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  await admin.unsafe(statement);
  await admin.end();
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  if (SCHEMA) await onPostgres(`create schema ${SCHEMA}`);
  const [command, ...rest] = pinned('0', [...NODE, join(ROOT, 'tests', 'helpers', 'collab-child.ts')]);
  const child = spawn(command, rest, {
    env: { ...process.env, DATA_DIR: dataDir, ...(SCHEMA ? { DB_SCHEMA: SCHEMA } : {}), COLLAB_DOC_ID: DOC_ID, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await within(new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve)), 'server start');
  return { child, url: JSON.parse(line).url };
}

async function signUpPeople(url: string): Promise<string[]> {
  const headers = { origin: url, 'content-type': 'application/json' };
  const signup = async (n: number, invite?: string) => {
    const response = await fetch(`${url}/api/auth/signup`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email: `soak${n}@example.com`, displayName: `Person ${n}`, password: `soak test passphrase ${n}`, invite }),
    });
    if (response.status !== 201) throw new Error(`sign-up ${n}: ${response.status} ${await response.text()}`);
    return response.headers.getSetCookie()[0].split(';')[0];
  };
  const admin = await signup(0);
  const cookies = [admin];
  for (let n = 1; n < PEOPLE; n++) {
    const invite = await fetch(`${url}/api/admin/invites`, { method: 'POST', headers: { ...headers, cookie: admin }, body: '{}' });
    const token = new URL(((await invite.json()) as { url: string }).url).searchParams.get('invite')!;
    cookies.push(await signup(n, token));
  }
  return cookies;
}

/** A fresh stock client's copy: what everyone should have converged to. */
async function freshCopy(url: string, cookie: string): Promise<{ digest: string; lines: Set<string> }> {
  class Socket extends WebSocket {
    constructor(target: string) {
      super(target, { headers: { cookie, origin: url } });
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(url.replace(/^http/, 'ws') + '/collab', DOC_ID, doc, { WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket, disableBc: true });
  await within(new Promise<void>((resolve) => provider.once('sync', () => resolve())), 'the checker to sync');
  const digest = createHash('sha256').update(JSON.stringify([doc.getArray('timeline').toJSON(), doc.getText('notes').toString()])).digest('hex');
  const lines = new Set(doc.getArray<string>('timeline').toArray());
  provider.destroy();
  return { digest, lines };
}

interface Report {
  tabs: number;
  connected: number;
  disconnects: number;
  digests: string[];
  typed: string[];
  histogram: number[];
  framesSent: Record<string, number>;
  framesReceived: Record<string, number>;
}

const dataDir = mkdtempSync(join(tmpdir(), 'warroom-soak-'));
let server: { child: ChildProcess; url: string } | undefined;
const workers: ChildProcess[] = [];
try {
  server = await startServer(dataDir);
  const serverPid = server.child.pid!;
  const cookies = await signUpPeople(server.url);
  const tabs = cookies.flatMap((cookie, person) => Array.from({ length: TABS }, (_, i) => ({ cookie, person, active: i === 0 })));
  console.log(`soak: ${tabs.length} clients (${PEOPLE} people × ${TABS} tabs) in ${WORKERS} load processes for ${MINUTES} min; ${hasTaskset ? `server on core 0, load on cores ${loadCores}` : 'no taskset: not pinned'}`);

  const messages = new Map<ChildProcess, (message: { type: string }) => void>();
  const next = (worker: ChildProcess, type: string) => within(new Promise<any>((resolve) => messages.set(worker, (m) => m.type === type && resolve(m))), `a worker to answer ${type}`, 300_000);
  for (let w = 0; w < WORKERS; w++) {
    const [command, ...rest] = pinned(loadCores, [...NODE, join(ROOT, 'bench', 'soak-load.ts')]);
    const worker = spawn(command, rest, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    worker.on('message', (message: { type: string }) => messages.get(worker)?.(message));
    workers.push(worker);
  }
  const ready = workers.map((worker) => next(worker, 'ready'));
  workers.forEach((worker, w) => worker.send({ type: 'start', config: { url: server!.url, docId: DOC_ID, tabs: tabs.filter((_, i) => i % WORKERS === w) } }));
  await Promise.all(ready);

  const started = performance.now();
  const rss = [rssKb(serverPid)];
  const cpuAtStart = [serverPid, ...workers.map((w) => w.pid!)].map(cpuSeconds);
  const sampler = setInterval(() => rss.push(rssKb(serverPid)), 1000);
  await new Promise((resolve) => setTimeout(resolve, MINUTES * 60_000));
  const stopped = workers.map((worker) => next(worker, 'stopped'));
  for (const worker of workers) worker.send({ type: 'stop' });
  await Promise.all(stopped);
  const seconds = (performance.now() - started) / 1000;
  const cpuUsed = [serverPid, ...workers.map((w) => w.pid!)].map((pid, i) => cpuSeconds(pid) - cpuAtStart[i]);
  // Let the last keystrokes and presence settle before comparing copies.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  clearInterval(sampler);
  rss.push(rssKb(serverPid));

  const expected = await freshCopy(server.url, cookies[0]);
  const reports = (await Promise.all(workers.map((worker) => {
    const report = next(worker, 'report');
    worker.send({ type: 'report' });
    return report;
  }))) as Report[];

  const histogram = new Array<number>(10_000).fill(0);
  const sent: Record<string, number> = {};
  const received: Record<string, number> = {};
  for (const report of reports) {
    report.histogram.forEach((n, ms) => (histogram[ms] += n));
    for (const [kind, n] of Object.entries(report.framesSent)) sent[kind] = (sent[kind] ?? 0) + n;
    for (const [kind, n] of Object.entries(report.framesReceived)) received[kind] = (received[kind] ?? 0) + n;
  }
  const deliveries = histogram.reduce((a, b) => a + b, 0);
  const quantile = (q: number) => {
    let seen = 0;
    for (let ms = 0; ms < histogram.length; ms++) if ((seen += histogram[ms]) >= q * deliveries) return ms;
    return NaN;
  };
  const typed = reports.flatMap((r) => r.typed);
  const lost = typed.filter((line) => !expected.lines.has(line)).length;
  const digests = reports.flatMap((r) => r.digests);
  const converged = digests.filter((d) => d === expected.digest).length;
  const mb = (kb: number) => (kb / 1024).toFixed(0);
  const peak = Math.max(...rss);
  const perSecond = (counts: Record<string, number>) => Object.entries(counts).sort().map(([kind, n]) => `${kind} ${(n / seconds).toFixed(0)}`).join(', ');

  console.log(`\n| ${MINUTES} min, ${tabs.length} stock clients (${PEOPLE} × ${TABS}) | result |\n|---|---|`);
  console.log(`| connected at the end | ${reports.reduce((s, r) => s + r.connected, 0)} / ${tabs.length} |`);
  console.log(`| disconnects during the run | ${reports.reduce((s, r) => s + r.disconnects, 0)} |`);
  console.log(`| converged with a fresh client | ${converged} / ${digests.length} |`);
  console.log(`| timeline lines typed / lost | ${typed.length} / ${lost} |`);
  console.log(`| delivery to other people's tabs p50 / p99 / max | ${quantile(0.5)} / ${quantile(0.99)} / ${histogram.findLastIndex((n) => n > 0)} ms (${deliveries} deliveries) |`);
  console.log(`| server RSS start / peak / end | ${mb(rss[0])} / ${mb(peak)} / ${mb(rss[rss.length - 1])} MB |`);
  const percent = (cpu: number) => `${((100 * cpu) / seconds).toFixed(0)}%`;
  console.log(`| CPU used: server / load processes | ${percent(cpuUsed[0])} of its core / ${percent(cpuUsed.slice(1).reduce((a, b) => a + b, 0))} of a core (on ${loadCores === '1-1' ? 'core 1' : `cores ${loadCores}`}) |`);
  console.log(`| frames/s clients → server | ${perSecond(sent)} |`);
  console.log(`| frames/s server → clients | ${perSecond(received)} |`);
} finally {
  for (const worker of workers) worker.kill('SIGKILL');
  if (server) {
    const exited = new Promise((resolve) => server!.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await within(exited, 'the server to stop', 30_000).catch(() => server!.child.kill('SIGKILL'));
  }
  rmSync(dataDir, { recursive: true, force: true });
  if (SCHEMA) await onPostgres(`drop schema if exists ${SCHEMA} cascade`);
}
process.exit(0);
