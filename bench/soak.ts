/**
 * Soak: a SEV1 war room. 40 people × 5 tabs = 200 stock y-websocket clients
 * spread over several load processes, typing and moving cursors at human
 * rates (bench/soak-load.ts), against each server in its own process, one
 * after the other with the same workload: Warroom (PGlite; PostgreSQL too
 * when DATABASE_URL is set) and, as the reference, the in-memory
 * @y/websocket-server. Needs Linux (taskset, /proc, ss): the server gets
 * core 0 and the load the other cores.
 *
 *   npm run bench -- soak [--minutes 10] [--people 40] [--tabs 5] [--workers 4] [--targets warroom-pglite,y-websocket] [--nice=-10] [--warroom-env NAME=value,…] [--cpu-prof DIR]
 *   DATABASE_URL=postgres://… npm run bench -- soak     (adds warroom-postgres, in a throwaway schema)
 *
 * Reports per server: clients connected at the end and disconnects,
 * convergence (every tab's copy equals a fresh client's), lines typed and
 * lost, delivery latency of timeline lines at other people's active tabs and
 * at an observer (one more stock client, alone in its process: what the
 * server delivers without the load generator's queueing), server RSS (with
 * Warroom's own account of it: V8 heap, PGlite's WebAssembly memory, and the
 * RSS right after a full garbage collection before and after), CPU of
 * each side and how long each waited for a CPU, the kernel's socket queues,
 * the load processes' event-loop delay and GC, and frames per second. If
 * the reference shows the same tail under the same load, the tail is the
 * load generator's on this machine; the observer tells the servers' own
 * delivery apart from the generator's queueing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { cpuMs, LOAD_CORE, rssKiB, runQueueWaitMs } from './collab/process.ts';
import { residentOfSizeKiB } from './soak/memory.ts';
import { watchQueues } from './soak/queues.ts';
import type { LoadConfig, LoadReport, LoadTab } from './soak-load.ts';
import { SOAK_TARGETS, startSoakServer, type SoakServer, type SoakTargetId } from './soak/servers.ts';
import { printSoakTable, quantile, type SoakResult } from './soak/table.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    people: { type: 'string', default: '40' },
    tabs: { type: 'string', default: '5' },
    workers: { type: 'string', default: '4' },
    nice: { type: 'string', default: '0' },
    'warroom-env': { type: 'string', default: '' },
    'cpu-prof': { type: 'string', default: '' },
    targets: { type: 'string', default: process.env.DATABASE_URL ? SOAK_TARGETS.join(',') : 'warroom-pglite,y-websocket' },
  },
});
const MINUTES = Number(args.minutes);
const PEOPLE = Number(args.people);
const TABS = Number(args.tabs);
const WORKERS = Number(args.workers);
/**
 * A niceness for every process of the run (server, load, observer) alike, so
 * that on a machine shared with other work the figures are about these
 * processes; below 0 needs root. The comparison stays like for like.
 */
const NICE = Number(args.nice);
const niced = (command: string[]) => (NICE === 0 ? command : ['nice', '-n', String(NICE), ...command]);
/** Extra environment for Warroom's server, NAME=value,… (e.g. compaction thresholds, to see what compaction costs the tail). */
const WARROOM_ENV = Object.fromEntries(args['warroom-env'].split(',').filter(Boolean).map((pair) => pair.split('=') as [string, string]));
/**
 * Where Warroom's server writes a V8 CPU profile (`node --cpu-prof`, one file
 * per thread, written when it exits on SIGTERM): which code holds a change
 * while the soak runs. Open the .cpuprofile in Chrome DevTools' Performance tab.
 */
const CPU_PROF_DIR = args['cpu-prof'];
const TARGETS = args.targets.split(',') as SoakTargetId[];
for (const target of TARGETS) if (!SOAK_TARGETS.includes(target)) throw new Error(`unknown target ${target}: one of ${SOAK_TARGETS.join(', ')}`);
const DOC_ID = 'soak-war-room';
const ROOT = join(import.meta.dirname, '..');
const NODE = [process.execPath, '--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
const loadCores = cpus().length > 1 ? `${LOAD_CORE}-${cpus().length - 1}` : '0';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const within = <T>(promise: Promise<T>, what: string, ms = 120_000) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out`)), ms).unref())]);

/**
 * A fresh stock client's copy: what everyone should have converged to. Null
 * when it cannot sync within two minutes (a server still far behind its input).
 */
async function freshCopy(server: SoakServer): Promise<{ digest: string; lines: Set<string> } | null> {
  const headers = server.people[0];
  class Socket extends WebSocket {
    constructor(target: string) {
      super(target, { headers });
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(server.wsBase, DOC_ID, doc, { WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket, disableBc: true });
  try {
    await within(new Promise<void>((resolve) => provider.once('sync', () => resolve())), 'the checker to sync');
  } catch (error) {
    console.error(`${server.label}: ${(error as Error).message}; convergence and losses unknown`);
    return null;
  } finally {
    provider.destroy();
  }
  const digest = createHash('sha256').update(JSON.stringify([doc.getArray('timeline').toJSON(), doc.getText('notes').toString()])).digest('hex');
  return { digest, lines: new Set(doc.getArray<string>('timeline').toArray()) };
}

/** A load process on the load cores, driven over IPC. */
class LoadProcess {
  readonly child: ChildProcess;
  #waiting: ((message: { type: string }) => void) | null = null;

  constructor() {
    this.child = spawn('taskset', ['-c', loadCores, ...niced([...NODE, join(ROOT, 'bench', 'soak-load.ts')])], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: { type: string }) => this.#waiting?.(message));
  }

  get pid(): number {
    return this.child.pid!;
  }

  ask<T>(type: 'start' | 'stop' | 'report', answer: string, config?: LoadConfig): Promise<T> {
    const answered = within(new Promise<T>((resolve) => (this.#waiting = (m) => m.type === answer && resolve(m as T))), `a load process to answer ${type}`, 300_000);
    this.child.send({ type, config });
    return answered;
  }
}

/**
 * The server's RSS from one-second samples: start, end, the peak and when it
 * came, and the median of each minute. A transient peak (a young generation
 * grown under load, a burst's buffers) shows as one high sample in a flat
 * series; memory that leaks shows as minutes that keep rising.
 */
function rssSeries(samplesKiB: number[]): SoakResult['rssMiB'] {
  const mib = samplesKiB.map((kib) => kib / 1024);
  const peak = Math.max(...mib);
  return { start: mib[0], peak, end: mib[mib.length - 1], peakAtMinute: mib.indexOf(peak) / 60, perMinute: eachMinute(mib, 0.5) };
}

/** The `q` quantile of each minute of one-second samples (0: the lowest, 0.5: the median). */
function eachMinute(samples: number[], q: number): number[] {
  const minutes: number[] = [];
  for (let from = 0; from < samples.length; from += 60) {
    const minute = samples.slice(from, from + 60).sort((a, b) => a - b);
    minutes.push(minute[Math.floor((minute.length - 1) * q)]);
  }
  return minutes;
}

const MiB = 2 ** 20;

/**
 * What the server says of its own memory, beside its RSS: the V8 heap (its
 * size moves with garbage not yet collected; the lowest used of a minute is
 * close to what is live) and PGlite's WebAssembly memory, which never
 * shrinks, with how much of it is resident. Null for a server that does not
 * report (the reference).
 */
class ServerMemorySeries {
  readonly heapTotal: number[] = [];
  readonly heapUsed: number[] = [];
  readonly wasm: { size: number; resident: number | null }[] = [];
  readonly server: SoakServer;

  constructor(server: SoakServer) {
    this.server = server;
  }

  sample(second: number): void {
    const report = this.server.memory();
    if (!report) return;
    this.heapTotal.push(report.heapTotal / MiB);
    this.heapUsed.push(report.heapUsed / MiB);
    // smaps of a busy server is read every 10 s only: walking it takes the server's memory map lock.
    if (report.wasm !== null && second % 10 === 0) {
      const resident = residentOfSizeKiB(this.server.process.pid, report.wasm);
      this.wasm.push({ size: report.wasm / MiB, resident: resident === null ? null : resident / 1024 });
    }
  }

  result(): SoakResult['memory'] {
    if (this.heapTotal.length === 0) return null;
    const wasm = this.wasm.length > 0 ? { start: this.wasm[0], end: this.wasm[this.wasm.length - 1] } : null;
    return { heapTotalMiB: eachMinute(this.heapTotal, 0.5), heapUsedLowMiB: eachMinute(this.heapUsed, 0), wasm };
  }
}

/**
 * The server's RSS right after it collected all its garbage: what it
 * retains, where the one-second samples also hold garbage V8 has not
 * collected yet (its heap grows to a few times what is live before a full
 * collection). Null for a server that cannot be asked (the reference).
 */
async function retainedKiB(server: SoakServer): Promise<number | null> {
  if (!server.collectGarbage()) return null;
  // The collection, and the freeing of what it leaves to finalizers (a WebAssembly memory's pages), take a moment.
  await sleep(2000);
  return rssKiB(server.process.pid);
}

async function soak(id: SoakTargetId): Promise<SoakResult> {
  const server = await startSoakServer(id, { people: PEOPLE, docId: DOC_ID, postgresUrl: process.env.DATABASE_URL ?? null, wrap: niced, env: WARROOM_ENV, cpuProfDir: CPU_PROF_DIR || null });
  const loads: LoadProcess[] = [];
  try {
    const tabs: LoadTab[] = server.people.flatMap((headers, person) => Array.from({ length: TABS }, (_, i) => ({ headers, person, role: i === 0 ? ('active' as const) : ('idle' as const) })));
    console.log(`soak ${server.label}: ${tabs.length} clients (${PEOPLE} people × ${TABS} tabs) in ${WORKERS} load processes + 1 observer for ${MINUTES} min; server on core 0, load on cores ${loadCores}${NICE ? `, all at niceness ${NICE}` : ''}`);
    // Before any client connects: a full collection under load would hold the deliveries being measured.
    const retainedAtStart = await retainedKiB(server);
    for (let w = 0; w <= WORKERS; w++) loads.push(new LoadProcess());
    const observer = loads[WORKERS];
    await Promise.all([
      ...loads.slice(0, WORKERS).map((load, w) => load.ask('start', 'ready', { wsBase: server.wsBase, docId: DOC_ID, tabs: tabs.filter((_, i) => i % WORKERS === w) })),
      observer.ask('start', 'ready', { wsBase: server.wsBase, docId: DOC_ID, tabs: [{ headers: server.people[0], person: -1, role: 'observer' }] }),
    ]);

    const pids = [server.process.pid, ...loads.map((l) => l.pid)];
    const started = performance.now();
    const load = [loadavg()[0]];
    const rss = [rssKiB(server.process.pid)];
    const memory = new ServerMemorySeries(server);
    memory.sample(0);
    const cpuAtStart = pids.map(cpuMs);
    const waitAtStart = pids.map(runQueueWaitMs);
    const queues = watchQueues(Number(new URL(server.wsBase).port));
    const sampler = setInterval(() => {
      rss.push(rssKiB(server.process.pid));
      memory.sample(rss.length - 1);
      load.push(loadavg()[0]);
    }, 1000);
    await sleep(MINUTES * 60_000);
    await Promise.all(loads.map((l) => l.ask('stop', 'stopped')));
    const seconds = (performance.now() - started) / 1000;
    const cpu = pids.map((pid, i) => (cpuMs(pid) - cpuAtStart[i]) / 10 / seconds);
    const waited = pids.map((pid, i) => (runQueueWaitMs(pid) - waitAtStart[i]) / 10 / seconds);
    const queued = queues.stop();
    // Let the last keystrokes and presence settle before comparing copies.
    await sleep(5000);
    clearInterval(sampler);
    rss.push(rssKiB(server.process.pid));
    memory.sample(0);
    const retainedAtEnd = await retainedKiB(server);

    const expected = await freshCopy(server);
    const reports = await Promise.all(loads.map((l) => l.ask<LoadReport>('report', 'report')));
    const clients = reports.slice(0, WORKERS);
    const sum = (histograms: number[][]) => histograms.reduce((total, h) => total.map((n, ms) => n + h[ms]));
    const perSecond = (counts: Record<string, number>[]) => {
      const total: Record<string, number> = {};
      for (const c of counts) for (const [kind, n] of Object.entries(c)) total[kind] = (total[kind] ?? 0) + n / seconds;
      return total;
    };
    const typed = clients.flatMap((r) => r.typed);
    const digests = reports.flatMap((r) => r.digests);
    return {
      label: server.label,
      minutes: seconds / 60,
      clients: tabs.length,
      connected: clients.reduce((s, r) => s + r.connected, 0),
      disconnects: reports.reduce((s, r) => s + r.disconnects, 0),
      converged: expected ? digests.filter((d) => d === expected.digest).length : null,
      checked: digests.length,
      typed: typed.length,
      lost: expected ? typed.filter((line) => !expected.lines.has(line)).length : null,
      delivery: quantile(sum(clients.map((r) => r.histogram))),
      observed: quantile(reports[WORKERS].histogram),
      rssMiB: rssSeries(rss),
      memory: memory.result(),
      retainedMiB: retainedAtStart === null || retainedAtEnd === null ? null : { start: retainedAtStart / 1024, end: retainedAtEnd / 1024 },
      cpu: { server: cpu[0], load: cpu.slice(1, WORKERS + 1).reduce((a, b) => a + b, 0), observer: cpu[WORKERS + 1] },
      waited: { server: waited[0], load: waited.slice(1, WORKERS + 1), observer: waited[WORKERS + 1] },
      queues: queued,
      loopDelayP99: clients.map((r) => r.loopDelay.p99),
      loopDelayMax: Math.max(...clients.map((r) => r.loopDelay.max)),
      gc: clients.reduce((sum, r) => sum + r.gcMs, 0) / 10 / seconds,
      loadAverage: { min: Math.min(...load), max: Math.max(...load) },
      framesIn: perSecond(clients.map((r) => r.framesSent)),
      framesOut: perSecond(clients.map((r) => r.framesReceived)),
    };
  } finally {
    // A load process exits by itself once it has reported (and writes its CPU profile then, with --cpu-prof in NODE_OPTIONS).
    await Promise.all(loads.map((l) => (l.child.exitCode !== null ? null : Promise.race([new Promise((resolve) => l.child.once('exit', resolve)), sleep(5_000)]))));
    for (const l of loads) l.child.kill('SIGKILL');
    await server.stop();
  }
}

const results: SoakResult[] = [];
for (const id of TARGETS) {
  try {
    results.push(await soak(id));
  } catch (error) {
    console.error(`soak against ${id} failed:`, error);
  }
  // Each server's column as soon as it is measured: a later failure loses nothing.
  printSoakTable(results, { people: PEOPLE, tabs: TABS, workers: WORKERS, loadCores });
  // The next server starts on a quiet core, not beside this one's exit.
  await sleep(3000);
}
process.exit(results.length === TARGETS.length ? 0 : 1);

