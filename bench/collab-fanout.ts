/**
 * `npm run bench -- collab [--quick]`: Warroom's collaboration speed, side by
 * side with @y/websocket-server and @hocuspocus/server on the same workload.
 *
 * Every server is its own process pinned to core 0 (Warroom exactly as
 * `npm run serve` runs it, on PGlite and on PostgreSQL); this load generator
 * is pinned to core 1. One writer types one character per update into a
 * Y.Text; readers sync like the stock provider and time every update they
 * receive. Each figure runs the servers in turn (A B C D, then D C B A for
 * the next round) on a fresh document, and on a fresh process where it needs
 * one. Prints a Markdown table with each figure and Warroom / best anchor.
 *
 * Options:
 *   --quick                 small N and short runs, for development (~3 min)
 *   --rounds 2              repeat each figure; cells are the median
 *   --targets a,b           some of: warroom-pglite, warroom-postgres, y-websocket, hocuspocus
 *   --figures a,b           some of: saturation, latency, compaction, memory, cold, storm
 *   --readers 2,10          reader counts for saturation and latency
 *   --postgres-url URL      where to create the fresh databases (default postgres://postgres@127.0.0.1:5432/postgres)
 *   --json FILE             also write every sample, with its notes, as JSON
 *   --server-dir DIR        measure the Warroom server of another checkout (built, with node_modules),
 *                           e.g. main's, to compare it with this one's
 *   --baseline-dir DIR      also measure the Warroom server of another checkout (built, with node_modules)
 *                           as "baseline" targets, interleaved with this one's: a before/after in one run
 *   --cpu-prof DIR          Warroom's server processes write V8 CPU profiles into DIR when they stop
 *   --url URL               also measure a server the benchmark did not start: http(s)://… a running
 *                           Warroom (--email/--password, default the benchmark's own account; the first
 *                           admin is signed up on an empty one), ws(s)://… any y-websocket server, or a
 *                           Hocuspocus with --dialect hocuspocus; --pid PID adds its CPU. Only the live-room
 *                           figures run on it; the others need a process the benchmark can restart.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { fill, measureColdSync } from './collab/phases/cold.ts';
import { measureCompaction, measureLatency } from './collab/phases/paced.ts';
import { measureMemory } from './collab/phases/memory.ts';
import { measureSaturation } from './collab/phases/saturation.ts';
import { measureStorm } from './collab/phases/storm.ts';
import { LOAD_CORE, pinLoadGenerator, SERVER_CORE } from './collab/process.ts';
import { describeMachine, renderReport } from './collab/report.ts';
import { Results, type Row, type Sample } from './collab/results.ts';
import { HocuspocusTarget, ROOT, WARROOM_BENCH_ENV, WarroomTarget, YWebsocketTarget, type Target } from './collab/targets.ts';
import { checkAgainstYjs } from './collab/typing.ts';
import { ExternalTarget } from './collab/external-target.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '1' },
    targets: { type: 'string' },
    figures: { type: 'string' },
    readers: { type: 'string' },
    'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    json: { type: 'string' },
    url: { type: 'string' },
    'server-dir': { type: 'string' },
    'cpu-prof': { type: 'string' },
    'baseline-dir': { type: 'string' },
    dialect: { type: 'string', default: 'y-websocket' },
    pid: { type: 'string' },
    email: { type: 'string', default: 'bench@example.com' },
    password: { type: 'string', default: 'benchmark passphrase' },
  },
});

const quick = args.quick!;
const plan = {
  rounds: Number(args.rounds),
  readers: args.readers ? args.readers.split(',').map(Number) : quick ? [2, 10, 50] : [2, 10, 50, 200, 500],
  saturation: { warmupMs: quick ? 300 : 500, measureMs: quick ? 1000 : 2500, window: 500, capacity: 80_000 },
  latency: { rate: 50, updates: quick ? 100 : 300, warmup: 10 },
  compaction: { readers: 10, rate: 200, updates: quick ? 600 : 1100, warmup: 10, every: 500, around: 25 },
  memory: { clients: quick ? 200 : 1000, concurrency: 100 },
  cold: { updates: quick ? 2000 : 10_000 },
  storm: quick
    ? { rooms: 4, clientsPerRoom: 50, fillUpdates: 100, observedReaders: 10, rate: 50 }
    : { rooms: 20, clientsPerRoom: 100, fillUpdates: 300, observedReaders: 10, rate: 50 },
};
const FIGURES = ['saturation', 'latency', 'compaction', 'memory', 'cold', 'storm'];
const figures = new Set(args.figures ? args.figures.split(',') : FIGURES);
for (const figure of figures) if (!FIGURES.includes(figure)) throw new Error(`unknown figure ${figure}: use ${FIGURES.join(', ')}`);

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();
const serverRoot = args['server-dir'] ? resolve(args['server-dir']) : ROOT;
const machine = describeMachine(serverRoot);

if (!existsSync(join(serverRoot, 'build', 'handler.js'))) {
  log(`the web app in ${serverRoot} is not built; running npm run build first (the production server needs it)`);
  execFileSync('npm', ['run', 'build'], { cwd: serverRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}
checkAgainstYjs();
const pinned = cpus().length >= 2;
if (pinned) await pinLoadGenerator();
else log('fewer than 2 cores: servers and load share the machine, unpinned figures are not comparable');

const targets = await chooseTargets();
const results = new Results();

// Interrupted: stop the servers and drop the databases it made, rather than leave them running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the servers`);
    const stopped = Promise.allSettled(targets.map((target) => target.dispose()));
    const deadline = new Promise((resolve) => setTimeout(resolve, 15_000).unref());
    void Promise.race([stopped, deadline]).then(() => process.exit(130));
  });
}

/** Runs `measure` for each target in turn, `rounds` times, logging each sample. */
async function interleaved(what: string, measure: (target: Target) => Promise<void>, options: { liveServers?: boolean } = {}) {
  for (let round = 1; round <= plan.rounds; round++) {
    // Every other round in reverse: whatever the previous turn leaves behind (its room unloading on the shared core) falls on each server alike.
    for (const target of round % 2 === 0 ? [...targets].reverse() : targets) {
      if (!options.liveServers && !target.owned) {
        if (round === 1) log(`  ${what} on ${target.label}: not measured (needs a server process the benchmark starts and restarts)`);
        continue;
      }
      const t = performance.now();
      try {
        await measure(target);
      } catch (error) {
        log(`  ${what} on ${target.label}: FAILED: ${(error as Error).stack ?? error}`);
        // The live-room figures share one process per server: a wedged one is replaced for the next figure.
        if (options.liveServers) await recover(target);
      }
      log(`  ${what} on ${target.label} (round ${round}) took ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
  }
}

function record(row: Row, target: Target, sample: Sample) {
  results.add(row, target.id, sample);
  const value = sample.text ?? sample.values.map((v) => v.toFixed(row.digits[0] ?? 1)).join(' / ');
  log(`  ${row.title} | ${target.label}: ${value}${sample.flags?.length ? ` [${sample.flags.join(', ')}]` : ''}  (${(sample.notes ?? []).join('; ')})`);
}

/** After a failure the process may be gone or wedged: a fresh one for the next measurement. */
async function recover(target: Target) {
  try {
    await target.fresh();
  } catch (error) {
    log(`  could not restart ${target.label}: ${(error as Error).message}`);
  }
}

try {
  if (figures.has('saturation') || figures.has('latency') || figures.has('compaction')) {
    log('starting the servers for the live-room figures');
    for (const target of targets) {
      try {
        await target.fresh();
        // Untimed: a fresh process's first thousands of updates run cold code; no figure should be its JIT warm-up.
        await fill(await target.newDocument(), 5000, 10);
      } catch (error) {
        log(`  starting and warming ${target.label} FAILED (its cells will say so): ${(error as Error).message}`);
      }
    }
    if (figures.has('saturation')) {
      for (const readers of plan.readers) {
        const row: Row = { key: `saturation-${readers}`, title: `saturation, updates/s delivered to all readers, N=${readers}`, better: 'higher', digits: [0] };
        await interleaved(row.title, async (t) => record(row, t, await measureSaturation(t, { ...plan.saturation, readers })), { liveServers: true });
      }
    }
    if (figures.has('latency')) {
      for (const readers of plan.readers) {
        const row: Row = { key: `latency-${readers}`, title: `delivery p50 / p99 / max ms at ${plan.latency.rate} updates/s, N=${readers}`, better: 'lower', digits: [2, 2, 2] };
        await interleaved(row.title, async (t) => record(row, t, await measureLatency(t, { ...plan.latency, readers })), { liveServers: true });
      }
    }
    if (figures.has('compaction')) {
      const c = plan.compaction;
      const row: Row = {
        key: 'compaction',
        title: `slowest update within ${c.around} of every ${c.every}th (Warroom compacts there) / p99 of all, ms; ${c.readers} readers, ${c.rate} updates/s`,
        better: 'lower',
        digits: [2, 2],
      };
      await interleaved(row.title, async (t) => record(row, t, await measureCompaction(t, c)), { liveServers: true });
    }
    for (const target of targets) await target.dispose();
  }
  if (figures.has('memory')) {
    const m = plan.memory;
    const clients = m.clients.toLocaleString('en-US');
    const idle: Row = { key: 'idle', title: 'server RSS, idle with one room loaded, MiB', better: 'lower', digits: [1] };
    const rss: Row = { key: 'rss', title: `RSS per idle connection, KiB (${clients} clients, fresh server, after a full GC)`, better: 'lower', digits: [1] };
    const connects: Row = { key: 'connects', title: `connects per second, existing session (${clients} clients, ${m.concurrency} at a time)`, better: 'higher', digits: [0] };
    await interleaved('memory and connects', async (t) => {
      const result = await measureMemory(t, m);
      record(idle, t, result.idle);
      record(rss, t, result.rss);
      record(connects, t, result.connects);
    });
  }
  if (figures.has('cold')) {
    const row: Row = { key: 'cold', title: `cold first sync of a ${plan.cold.updates.toLocaleString('en-US')}-update document after a restart, ms`, better: 'lower', digits: [1] };
    await interleaved(row.title, async (t) => record(row, t, await measureColdSync(t, plan.cold)));
  }
  if (figures.has('storm')) {
    const s = plan.storm;
    const clients = (s.rooms * s.clientsPerRoom).toLocaleString('en-US');
    const synced: Row = { key: 'storm', title: `reconnect storm after a restart: ${clients} clients (${s.rooms} rooms) all synced, ms`, better: 'lower', digits: [0] };
    const other: Row = { key: 'storm-other', title: `same: another room's delivery p99 / max ms meanwhile (${s.rate} updates/s)`, better: 'lower', digits: [2, 2] };
    await interleaved('reconnect storm', async (t) => {
      const result = await measureStorm(t, s);
      record(synced, t, result.synced);
      record(other, t, result.otherRoom);
    });
  }
} finally {
  for (const target of targets) await target.dispose().catch((error) => log(`  stopping ${target.label}: ${(error as Error).message}`));
}

const hocuspocus = targets.find((t): t is HocuspocusTarget => t instanceof HocuspocusTarget);
const settings = [
  pinned
    ? `Each server ran as its own process pinned to core ${SERVER_CORE} (taskset, checked); the load generator was pinned to core ${LOAD_CORE}. PostgreSQL itself is not pinned and is not in the server's CPU figure.`
    : 'Not pinned (fewer than 2 cores).',
  `Warroom ran as \`npm run serve\` runs it, signed in through the API with a session cookie on each websocket, one incident per document; with ${Object.entries(WARROOM_BENCH_ENV)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')} (no per-connection rate limit in the way of the writer, 1,000+ clients in one room, rooms unload before the next measurement).`,
  `One writer types one character per update into a Y.Text; every reader times every update it receives (by the writer's Yjs clock in the update), merged or not. Saturation keeps at most ${plan.saturation.window} updates in flight to the slowest reader, ${plan.saturation.warmupMs} ms warm-up, ${plan.saturation.measureMs} ms measured.`,
  `The anchors keep documents in memory, so their cold-sync and storm rows say "lost on restart"; ${
    hocuspocus?.sqliteProblem ? `Hocuspocus's SQLite extension could not load here (${hocuspocus.sqliteProblem}), so it too` : 'Hocuspocus ran with its SQLite extension for those two rows and'
  } kept its documents over the restart${hocuspocus?.sqliteProblem ? ' in memory only' : ''}.`,
  `${plan.rounds} round(s); a cell is the median of its rounds.${quick ? ' Quick mode: small N, short runs; not for comparison with full runs.' : ''}`,
];
const report = renderReport({ machine, targets, results, settings, elapsedMs: performance.now() - started });
console.log(`\n${report}`);
if (args.json) writeFileSync(args.json, JSON.stringify({ machine, plan, results }, null, 2));
process.exit(0);

async function chooseTargets(): Promise<Target[]> {
  const profileDir = args['cpu-prof'] ? resolve(args['cpu-prof']) : null;
  const baselineDir = args['baseline-dir'] ? resolve(args['baseline-dir']) : null;
  const all: Target[] = [
    new WarroomTarget('pglite', args['postgres-url']!, serverRoot, { profileDir }),
    new WarroomTarget('postgres', args['postgres-url']!, serverRoot, { profileDir }),
    ...(baselineDir
      ? [
          new WarroomTarget('pglite', args['postgres-url']!, baselineDir, { variant: 'baseline' }),
          new WarroomTarget('postgres', args['postgres-url']!, baselineDir, { variant: 'baseline' }),
        ]
      : []),
    new YWebsocketTarget(),
    new HocuspocusTarget(),
  ];
  const external = args.url
    ? new ExternalTarget({
        url: args.url,
        dialect: args.dialect === 'hocuspocus' ? 'hocuspocus' : 'y-websocket',
        pid: args.pid ? Number(args.pid) : null,
        email: args.email!,
        password: args.password!,
      })
    : null;
  // Against a server of one's own, the anchors by default; else all four.
  const wanted = args.targets ? args.targets.split(',') : all.filter((t) => !external || !t.isWarroom).map((t) => t.id);
  for (const id of wanted) if (!all.some((t) => t.id === id)) throw new Error(`unknown target ${id}: use ${all.map((t) => t.id).join(', ')}`);
  const chosen = [...(external ? [external] : []), ...all.filter((t) => wanted.includes(t.id))];
  if (chosen.some((t) => t.id === 'warroom-postgres')) {
    const sql = postgres(args['postgres-url']!, { max: 1, connect_timeout: 5, onnotice: () => {} });
    try {
      await sql`select 1`;
    } catch (error) {
      log(`PostgreSQL at ${args['postgres-url']} is not reachable (${(error as Error).message}); measuring without Warroom PostgreSQL`);
      return chosen.filter((t) => t.id !== 'warroom-postgres');
    } finally {
      await sql.end();
    }
  }
  return chosen;
}
