import type { QueueSummary } from './queues.ts';

/**
 * The soak's side-by-side table: one column per server, the same rows, and
 * a verdict on whose the delivery tail is. The verdict compares like with
 * like: the reference under the same load on the same cores, and the
 * observer (a client with a process of its own) under the same server.
 */

export interface Latency {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

export interface SoakResult {
  label: string;
  minutes: number;
  clients: number;
  connected: number;
  disconnects: number;
  /** Null when the checker could not sync (convergence and losses unknown). */
  converged: number | null;
  checked: number;
  typed: number;
  lost: number | null;
  /** Timeline lines at other people's active tabs (in the load processes). */
  delivery: Latency;
  /** The same lines at the observer. */
  observed: Latency;
  rssMiB: { start: number; peak: number; end: number; peakAtMinute: number; perMinute: number[] };
  /**
   * The server's own account of its memory (null when it gives none): V8
   * heap size (median) and used (lowest) each minute, and PGlite's
   * WebAssembly memory (size and resident, MiB) at the first and last
   * sample, null on PostgreSQL.
   */
  memory: {
    heapTotalMiB: number[];
    heapUsedLowMiB: number[];
    wasm: { start: { size: number; resident: number | null }; end: { size: number; resident: number | null } } | null;
  } | null;
  /** RSS right after a full garbage collection, before the clients connect and after they stopped typing (null: not asked). */
  retainedMiB: { start: number; end: number } | null;
  /** Share of one core, in percent, over the run. */
  cpu: { server: number; load: number; observer: number };
  /** Share of the run each main thread was runnable but waiting for a CPU, in percent (each load process apart). */
  waited: { server: number; load: number[]; observer: number };
  /** Bytes waiting in the kernel's socket queues (null without `ss`). */
  queues: QueueSummary | null;
  /** Each load process's event-loop delay p99, ms. */
  loopDelayP99: number[];
  loopDelayMax: number;
  /** Garbage collection in the load processes, percent of a core. */
  gc: number;
  loadAverage: { min: number; max: number };
  framesIn: Record<string, number>;
  framesOut: Record<string, number>;
}

/** Quantiles of a histogram of whole milliseconds. */
export function quantile(histogram: number[]): Latency {
  const n = histogram.reduce((a, b) => a + b, 0);
  const at = (q: number) => {
    let seen = 0;
    for (let ms = 0; ms < histogram.length; ms++) if ((seen += histogram[ms]) >= q * n) return ms;
    return NaN;
  };
  return { p50: at(0.5), p99: at(0.99), max: histogram.findLastIndex((count) => count > 0), n };
}

const latency = (l: Latency) => (l.n === 0 ? 'none' : `${l.p50} / ${l.p99} / ${l.max >= 9999 ? '≥ 10,000' : l.max.toLocaleString('en')} ms (${l.n.toLocaleString('en')})`);
const perSecond = (frames: Record<string, number>) =>
  Object.entries(frames)
    .filter(([, n]) => n >= 0.5)
    .sort()
    .map(([kind, n]) => `${kind} ${Math.round(n).toLocaleString('en')}`)
    .join(', ');

const minutes = (mib: number[]) => mib.map((m) => m.toFixed(0)).join(', ');
const mib = (n: number | null) => (n === null ? '?' : n.toFixed(0));
const percent = (fraction: number) => `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(0)}%`;
const wasmCell = (m: SoakResult['memory']) => {
  if (!m) return 'not reported';
  if (!m.wasm) return 'none (not PGlite)';
  const { start, end } = m.wasm;
  return `${mib(start.size)} / ${mib(start.resident)} → ${mib(end.size)} / ${mib(end.resident)} MiB`;
};
const kib = (bytes: number) => (bytes < 1024 ? `${Math.round(bytes)} B` : `${(bytes / 1024).toLocaleString('en', { maximumFractionDigits: 0 })} KiB`);
const queue = (q: QueueSummary | null, key: 'unreadByServer' | 'unreadByClients' | 'unsentByServer') => (q ? `${kib(q[key].mean)} / ${kib(q[key].max)}` : 'no ss');

export function printSoakTable(results: SoakResult[], setup: { people: number; tabs: number; workers: number; loadCores: string }): void {
  const rows: [string, (r: SoakResult) => string][] = [
    ['minutes measured', (r) => r.minutes.toFixed(1)],
    ['load average (1 min) during the run', (r) => `${r.loadAverage.min.toFixed(1)}–${r.loadAverage.max.toFixed(1)}`],
    ['connected at the end', (r) => `${r.connected} / ${r.clients}`],
    ['disconnects during the run', (r) => String(r.disconnects)],
    ['converged with a fresh client', (r) => (r.converged === null ? 'unknown: the checker did not sync in 2 min' : `${r.converged} / ${r.checked}`)],
    ['timeline lines typed / lost', (r) => `${r.typed} / ${r.lost ?? 'unknown'}`],
    ["delivery to other people's active tabs p50 / p99 / max (n)", (r) => latency(r.delivery)],
    ['delivery to the observer (own process) p50 / p99 / max (n)', (r) => latency(r.observed)],
    ['server RSS start / peak / end', (r) => `${r.rssMiB.start.toFixed(0)} / ${r.rssMiB.peak.toFixed(0)} (minute ${r.rssMiB.peakAtMinute.toFixed(1)}) / ${r.rssMiB.end.toFixed(0)} MiB`],
    ['… median of each minute', (r) => `${r.rssMiB.perMinute.map((m) => m.toFixed(0)).join(', ')} MiB`],
    ['… of it PGlite\'s WebAssembly memory (never shrinks): size / resident, start → end', (r) => wasmCell(r.memory)],
    ['… V8 heap size, median of each minute (garbage not yet collected moves it)', (r) => (r.memory ? `${minutes(r.memory.heapTotalMiB)} MiB` : 'not reported')],
    ['… V8 heap used, lowest of each minute (about what is live)', (r) => (r.memory ? `${minutes(r.memory.heapUsedLowMiB)} MiB` : 'not reported')],
    ['server RSS right after a full garbage collection: before the clients connect / after they stopped', (r) => (r.retainedMiB ? `${mib(r.retainedMiB.start)} / ${mib(r.retainedMiB.end)} MiB (${percent(r.retainedMiB.end / r.retainedMiB.start - 1)})` : 'not asked')],
    ['CPU: server (core 0)', (r) => `${r.cpu.server.toFixed(0)}%`],
    [`CPU: ${setup.workers} load processes + observer (cores ${setup.loadCores})`, (r) => `${r.cpu.load.toFixed(0)}% + ${r.cpu.observer.toFixed(1)}%`],
    ['main thread waiting for a CPU: server / each load process / observer', (r) => `${r.waited.server.toFixed(0)}% / ${r.waited.load.map((w) => w.toFixed(0)).join(', ')}% / ${r.waited.observer.toFixed(1)}%`],
    ['kernel queues, mean / max: unread by the server', (r) => queue(r.queues, 'unreadByServer')],
    ['… unread by the clients', (r) => queue(r.queues, 'unreadByClients')],
    ['… not yet taken from the server (ws bufferedAmount grows past this)', (r) => queue(r.queues, 'unsentByServer')],
    ['load processes: event-loop delay p99 each / max', (r) => `${r.loopDelayP99.map((ms) => ms.toFixed(0)).join(', ')} / ${r.loopDelayMax.toFixed(0)} ms`],
    ['load processes: garbage collection (share of a core)', (r) => `${r.gc.toFixed(1)}%`],
    ['frames/s clients → server', (r) => perSecond(r.framesIn)],
    ['frames/s server → clients', (r) => perSecond(r.framesOut)],
  ];
  console.log(`\n| ${setup.people} people × ${setup.tabs} tabs, stock y-websocket clients | ${results.map((r) => r.label).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---').join('|')}|`);
  for (const [name, cell] of rows) console.log(`| ${name} | ${results.map(cell).join(' | ')} |`);
  console.log(`\n${verdict(results)}`);
}

/**
 * Whose is the tail. The observer's process does nothing else, so what the
 * busy tabs see beyond it is the load generator's own queueing; the
 * observers of two servers under the same load compare the servers. A
 * server that fell behind its input shows at its observer too.
 */
function verdict(results: SoakResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.delivery.n === 0 || r.observed.n === 0) continue;
    lines.push(
      `${r.label}: p99 ${r.delivery.p99} ms at the busy tabs, ${r.observed.p99} ms at the observer, so about ${Math.max(0, r.delivery.p99 - r.observed.p99)} ms of the busy tabs' p99 is the load generator's queueing (its event loops lagged up to ${Math.max(...r.loopDelayP99).toFixed(0)} ms at p99); server CPU ${r.cpu.server.toFixed(0)}%, its main thread runnable but waiting for its core ${r.waited.server.toFixed(0)}% of the run; load ${r.cpu.load.toFixed(0)}%.`,
    );
  }
  const reference = results.find((r) => r.label.startsWith('@y/websocket-server'));
  for (const r of results) {
    if (!reference || r === reference || r.observed.n === 0 || reference.observed.n === 0) continue;
    lines.push(`${r.label} vs the reference under the same load, at the observer (the servers' own delivery): p50 ${r.observed.p50} vs ${reference.observed.p50} ms, p99 ${r.observed.p99} vs ${reference.observed.p99} ms.`);
  }
  return lines.join('\n');
}
