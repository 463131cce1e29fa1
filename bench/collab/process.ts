/**
 * Server processes for the benchmark: each started under `taskset` on its
 * own core (never inheriting the load generator's affinity, which is
 * checked), ready once it prints a JSON line with a `url`, and read from
 * /proc for its resident set and CPU time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

export interface PinnedProcess {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** The V8 inspector's websocket, when the process was started with --inspect. */
  readonly inspectorUrl: string | null;
  /** The last lines it printed, for error messages. */
  readonly tail: string[];
  /** Resolves with the exit code (or signal name) once it exits. */
  readonly exited: Promise<string>;
  stop(signal?: 'SIGTERM' | 'SIGKILL', timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** The command, as `npm run serve` would run it: [node, ...flags, script]. */
  command: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  timeoutMs?: number;
  /** Every line it prints, for a caller that reads more than the URL; true keeps the line out of `tail`. */
  onLine?: (line: string) => boolean;
}

export async function startPinned(options: StartOptions): Promise<PinnedProcess> {
  const [program, ...args] = options.command;
  const child = spawn('taskset', ['-c', String(SERVER_CORE), program, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let inspectorUrl: string | null = null;
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} did not report its URL within ${options.timeoutMs ?? 60_000} ms:\n${tail.join('\n')}`)), options.timeoutMs ?? 60_000);
    const onLine = (line: string) => {
      if (options.onLine?.(line)) return;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      // The last one: `npm run serve` prints one as its launcher, then one as the server it becomes (scripts/serve.js).
      inspectorUrl = /^Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1] ?? inspectorUrl;
      const found = urlIn(line);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    // Both streams are read to the end: a full pipe would block the server's logging.
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${how}) before it was ready:\n${tail.join('\n')}`));
    });
  });
  const pid = child.pid!;
  const allowed = cpusAllowed(pid);
  if (allowed !== String(SERVER_CORE)) {
    await stopChild(child, exited, 'SIGKILL', 5000);
    throw new Error(`${options.name} runs on cores ${allowed}, not on core ${SERVER_CORE}`);
  }
  return {
    name: options.name,
    pid,
    url,
    get inspectorUrl() {
      return inspectorUrl;
    },
    tail,
    exited,
    stop: (signal = 'SIGTERM', timeoutMs = 60_000) => stopChild(child, exited, signal, timeoutMs),
  };
}

function urlIn(line: string): string | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(line) as { url?: unknown };
    return typeof parsed.url === 'string' ? parsed.url : null;
  } catch {
    return null;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<string>, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Pins this process (every thread) to the load generator's core. */
export async function pinLoadGenerator(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`taskset exited with ${code}`))));
  });
  const allowed = cpusAllowed(process.pid);
  if (allowed !== String(LOAD_CORE)) throw new Error(`the load generator runs on cores ${allowed}, not on core ${LOAD_CORE}`);
}

export function cpusAllowed(pid: number): string {
  return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
}

export function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/** CPU time (user + system) the process has used, in ms (/proc counts 10 ms ticks). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * Time the process's main thread (the event loop) spent runnable but waiting
 * for a CPU, in ms (/proc/PID/schedstat, nanoseconds): on a shared machine,
 * what other processes cost a figure.
 */
export function runQueueWaitMs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
}

/** Busy time of each core so far, in ms, whoever used it (/proc/stat; idle and iowait excluded). */
export function coreBusyMs(): number[] {
  const busy: number[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user, nice, system, , , irq, softirq, steal] = match[2].split(/\s+/).map(Number);
    busy[Number(match[1])] = (user + nice + system + irq + softirq + steal) * 10;
  }
  return busy;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until none of `pids` used more than 2% of a core over 300 ms, so one
 * measurement's leftovers (an unloading room, a compaction, GC) do not land
 * in the next. Bounded: after `limitMs` it goes on and says so.
 */
export async function waitForQuiet(pids: (number | null)[], limitMs = 8000): Promise<boolean> {
  const known = pids.filter((pid): pid is number => pid !== null);
  if (known.length === 0) return false;
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const before = known.map(cpuMs);
    await sleep(300);
    const used = known.map(cpuMs).reduce((sum, after, i) => sum + after - before[i], 0);
    if (used <= 6) return true;
  }
  return false;
}

/**
 * The resident set once it stops moving: samples 250 ms apart until four in
 * a row are within 1% of each other (the heap settles after GC), at most
 * `limitMs`; the median of the last four.
 */
export async function settledRssKiB(pid: number, limitMs = 10_000): Promise<number> {
  const samples: number[] = [];
  const started = performance.now();
  for (;;) {
    samples.push(rssKiB(pid));
    const last = samples.slice(-4);
    if (last.length === 4 && Math.max(...last) - Math.min(...last) <= Math.max(...last) * 0.01) break;
    if (performance.now() - started > limitMs) break;
    await sleep(250);
  }
  const last = samples.slice(-4).sort((a, b) => a - b);
  return (last[Math.floor((last.length - 1) / 2)] + last[Math.floor(last.length / 2)]) / 2;
}
