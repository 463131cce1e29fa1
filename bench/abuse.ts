/**
 * `npm run bench -- abuse`: the worst inputs one member can send, one after
 * another, against the production server (server/main.ts, built app, embedded
 * PGlite in a temporary directory) started as its own process and pinned to
 * CPU 0, while this process and its bystanders are pinned to CPU 1. During
 * each attack a probe asks /healthz every 20 ms and a second member types
 * into another war room (bench/abuse/probe.ts); the table gives, per attack,
 * the probe's p50/p99/max, the typing member's delivery p99, and the
 * server's resident memory before, at its peak, 3 s after, and 15 s after
 * with a full garbage collection (forced through the V8 inspector: what the
 * server kept once it has let go of what the attack used).
 *
 *   npm run bench -- abuse [--port 4243] [--entries 100000] [--only name,name]
 *
 * Needs `npm run build` first (it serves the built app, like `npm start`).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { awarenessFlood, bigDocument, connectionFlood, fillTimeline, hugeBodies, markdownBombs, type Room } from './abuse/attacks.ts';
import { Browser } from './abuse/client.ts';
import { collectGarbage } from './collab/inspector.ts';
import { SERVER_NODE_FLAGS, serverEnvironment } from '../scripts/server-env.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '4243' },
    entries: { type: 'string', default: '100000' },
    only: { type: 'string' },
  },
});
const root = join(import.meta.dirname, '..');
const base = `http://127.0.0.1:${args.port}`;
const nodeArgs = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];

if (!existsSync(join(root, 'build', 'handler.js'))) {
  console.error('bench abuse: the app is not built; run "npm run build" first');
  process.exit(1);
}

/** Pins a process (all its threads) to one CPU; without taskset the figures are still printed, unpinned. */
function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** When, after an attack, the memory the server kept is read (after a full collection). */
const SETTLE_MS = 15_000;

const rssMiB = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
};

/**
 * The server, with the V8 inspector on a loopback port of its own: after each
 * attack the benchmark forces a full garbage collection through it, so the
 * memory figure says what the server kept, not what garbage the attack left
 * for a collection that an idle process may not run for minutes. Rooms
 * without clients and the replay's histories are let go after 1 s instead of
 * their production 30 s and 60 s, so the figure after an attack says whether
 * the server gives its memory back by the time it is read (SETTLE_MS). Its
 * environment and Node's flags are the ones `npm run serve` starts it with
 * (scripts/server-env.js: the allocator's settings, the garbage collector's).
 */
async function startServer(dataDir: string): Promise<{ server: ChildProcess; inspectorUrl: string }> {
  const server = spawn('taskset', ['-c', '0', process.execPath, ...SERVER_NODE_FLAGS, '--inspect=127.0.0.1:0', 'server/main.ts'], {
    cwd: root,
    env: { ...serverEnvironment(process.env), PORT: args.port, HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'error', NODE_ENV: 'production', COLLAB_UNLOAD_MS: '1000', REPLAY_IDLE_MS: '1000' },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let inspectorUrl: string | null = null;
  createInterface({ input: server.stderr! }).on('line', (line) => {
    inspectorUrl ??= /^Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1] ?? null;
    if (!/^Debugger listening on|^For help, see/.test(line)) process.stderr.write(`${line}\n`);
  });
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    if (inspectorUrl && (await fetch(`${base}/readyz`).then((r) => r.ok, () => false))) return { server, inspectorUrl };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not become ready (or printed no inspector address) within 60 s');
}

interface Window {
  probe: { count: number; p50: number | null; p99: number | null; max: number | null };
  delivery: { count: number; p99: number | null };
}

function askWindow(probe: ChildProcess): Promise<Window> {
  return new Promise((resolve) => {
    const onMessage = (message: { kind: string } & Window) => {
      if (message.kind !== 'window') return;
      probe.off('message', onMessage);
      resolve(message);
    };
    probe.on('message', onMessage);
    probe.send({ kind: 'window' });
  });
}

async function main() {
  const pinned = pin(process.pid, 1);
  const dataDir = mkdtempSync(join(tmpdir(), 'warroom-bench-abuse-'));
  const { server, inspectorUrl } = await startServer(dataDir);
  // taskset execs node in its own place, so the pid is the server's.
  const serverPid = server.pid!;
  let probe: ChildProcess | null = null;
  try {
    // People: the admin commands, a typist and a watcher work another room, a member attacks.
    const admin = new Browser(base);
    const { user: adminUser } = await admin.ok<{ user: { id: string; displayName: string } }>('POST', '/api/auth/signup', { email: 'admin@example.com', displayName: 'Ana Admin', password: 'correct horse battery staple' });
    const member = async (name: string) => {
      const { url } = await admin.ok<{ url: string }>('POST', '/api/admin/invites', {});
      const browser = new Browser(base);
      await browser.ok('POST', '/api/auth/signup', { email: `${name.toLowerCase()}@example.com`, displayName: name, password: 'a long enough passphrase', invite: new URL(url).searchParams.get('invite') });
      return browser;
    };
    const [typist, watcher, attacker] = [await member('Tess'), await member('Walt'), await member('Mallory')];
    const declare = async (title: string) => (await admin.ok<{ incident: Room }>('POST', '/api/incidents', { title, severity: 2, services: ['bench'] })).incident;
    const target = await declare('The room under attack');
    const typing = await declare('The room where people keep working');
    const big = await declare('The room with 100,000 entries');
    const closing = await declare('A postmortem of bombs');
    for (const person of [typist, watcher]) await person.ok('POST', `/api/incidents/${typing.ref}/join`, { as: 'responder' });
    await admin.ok('POST', `/api/incidents/${closing.ref}/state`, { state: 'resolved' });
    await admin.ok('POST', `/api/incidents/${closing.ref}/state`, { state: 'closed' });

    probe = fork(join(import.meta.dirname, 'abuse', 'probe.ts'), [], { execArgv: nodeArgs, stdio: 'inherit' });
    pin(probe.pid!, 1);
    await new Promise<void>((resolve, reject) => {
      probe!.once('message', () => resolve());
      probe!.once('exit', (code) => reject(new Error(`the probe exited with ${code}`)));
      probe!.send({ kind: 'start', start: { base, docId: typing.docId, typistCookie: typist.cookie, watcherCookie: watcher.cookie } });
    });
    probe.on('message', (message: { kind: string; message?: string }) => {
      if (message.kind === 'error') console.error(`bench abuse: bystander failed: ${message.message}`);
    });

    const entries = Number(args.entries);
    const attacks: { name: string; dependsOn?: string; run: () => Promise<string> }[] = [
      { name: 'baseline (no attack, 5 s)', run: async () => (await new Promise((resolve) => setTimeout(resolve, 5000)), '') },
      { name: 'Markdown bombs', run: () => markdownBombs(attacker, admin, target, closing, { id: adminUser.id, name: adminUser.displayName }) },
      { name: 'awareness flood (150 × 1 MB)', dependsOn: 'collab: awareness caps', run: () => awarenessFlood(attacker, target) },
      { name: 'connection flood (1,000 sockets)', dependsOn: 'collab: connection caps', run: () => connectionFlood(attacker, admin, target) },
      { name: '100 MiB bodies (4 at once)', run: () => hugeBodies(base) },
      { name: `${entries.toLocaleString('en-US')}-entry document: write`, dependsOn: 'collab/replay: document budget', run: () => fillTimeline(admin, big, entries) },
      { name: `${entries.toLocaleString('en-US')}-entry document: connect, replay, close`, dependsOn: 'replay + collab: chunked Yjs work', run: () => bigDocument(attacker, admin, big) },
    ];
    const wanted = args.only?.split(',').map((s) => s.trim().toLowerCase());
    const rows: string[][] = [];
    for (const attack of attacks) {
      if (wanted && !wanted.some((w) => attack.name.toLowerCase().includes(w))) continue;
      await askWindow(probe);
      const before = rssMiB(serverPid);
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(serverPid))), 50);
      const started = performance.now();
      let note: string;
      try {
        note = await attack.run();
      } catch (error) {
        note = `failed: ${(error as Error).message}`;
      }
      const seconds = (performance.now() - started) / 1000;
      const during = await askWindow(probe);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      clearInterval(sampler);
      const after = rssMiB(serverPid);
      peak = Math.max(peak, after);
      // A worker thread that stopped (the replay's, the update and Markdown workers stop when idle) leaves its heap's
      // pages resident until V8 hands them back, 6-8 s later: read the memory kept once that has happened.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS - 3000));
      await collectGarbage(inspectorUrl);
      const kept = rssMiB(serverPid);
      // A full collection of a large heap holds the server for a while: what it delayed lands here, not in the next attack's figures.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const ms = (n: number | null) => (n === null ? '–' : n < 10 ? n.toFixed(1) : String(Math.round(n)));
      rows.push([
        attack.name,
        seconds.toFixed(1),
        ms(during.probe.p50),
        ms(during.probe.p99),
        ms(during.probe.max),
        `${ms(during.delivery.p99)} (${during.delivery.count})`,
        `${Math.round(before)} / ${Math.round(peak)} / ${Math.round(after)} / ${Math.round(kept)}`,
        attack.dependsOn ?? '',
        note,
      ]);
      console.error(`bench abuse: ${attack.name}: ${note}`);
    }
    const header = ['attack', 's', 'probe p50', 'p99', 'max (ms)', 'typing p99 ms (n)', 'RSS MiB before / peak / 3 s after / 15 s after, full GC', 'depends on', 'what the server answered'];
    console.log(`\nabuse benchmark: server pinned to CPU 0${pinned ? ', load and bystanders to CPU 1' : ' (taskset failed: unpinned)'}; Node ${process.version}\n`);
    console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  } finally {
    probe?.send({ kind: 'stop' });
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
// Something (a keep-alive socket, the bystanders' channel) could keep the process up after the table was printed, holding
// the benchmark lock others wait on: there is nothing left to wait for.
process.exit(0);
