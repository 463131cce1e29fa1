/**
 * `npm run bench -- cluster [--readers 10] [--updates 300] [--rate 50]`:
 * the collab benchmark's latency workload (one writer typing one character
 * per update at a steady pace into a fresh war room) with readers on three
 * processes in cluster mode. The writer is on process 1; readers on process 1
 * are the same-process figure, readers on processes 2 and 3 the cross-process
 * one (their updates went through PostgreSQL and Redis). Also reports Redis
 * messages and PostgreSQL transactions per update, and a rolling restart
 * (SIGTERM to each process in turn) measured with stock providers through
 * HAProxy: the time until every client is connected and synced again.
 *
 * Runs its own redis-server (so its counters are this benchmark's alone) and
 * its own database; needs the built app, HAProxy and the local PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createClient } from 'redis';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { NodeLauncher } from '../scripts/cluster/launch.ts';
import { CollabClient, connectMany, type Endpoint } from './collab/client.ts';
import { Deliveries } from './collab/deliveries.ts';
import { percentile, sleep, sortNumbers } from './collab/stats.ts';
import { checkAgainstYjs, ClockReader, expectedText, TEXT_NAME, Typist } from './collab/typing.ts';
import { WARROOM_BENCH_ENV } from './collab/targets.ts';
import { yWebsocket } from './collab/wire.ts';

const { values } = parseArgs({
  options: {
    readers: { type: 'string', default: '10' },
    updates: { type: 'string', default: '300' },
    rate: { type: 'string', default: '50' },
    restarts: { type: 'string', default: '3' },
  },
});
const readersPerNode = Number(values.readers);
const updates = Number(values.updates);
const rate = Number(values.rate);
const warmup = 10;

const missing = NodeLauncher.missing();
if (missing) {
  console.error(`cluster bench: ${missing}`);
  process.exit(1);
}
checkAgainstYjs();

// Below the ephemeral range (32768+), where outgoing connections could already hold a port.
const redisPort = 12_000 + Math.floor(Math.random() * 8_000);
const redisDir = mkdtempSync(join(tmpdir(), 'warroom-bench-redis-'));
const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdio: 'ignore' });
const redisUrl = `redis://127.0.0.1:${redisPort}`;
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `warroom_cluster_bench_${process.pid}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
await admin.unsafe(`create database ${database}`);
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
const launcher = new NodeLauncher({
  nodes: 3,
  port: 21_000 + Math.floor(Math.random() * 8_000),
  databaseUrl,
  redisUrl,
  redisPrefix: 'bench',
  logLevel: 'warn',
  // The collab benchmark's limits: one account plays every reader.
  env: WARROOM_BENCH_ENV,
  output: (name, line) => {
    if (line.includes('"level":50') || line.includes('"level":60')) process.stdout.write(`[${name}] ${line}\n`);
  },
});
const redis = createClient({ url: redisUrl });

async function cleanup() {
  await redis.close().catch((error: Error) => console.error(`closing the Redis client: ${error.message}`));
  await launcher.stop();
  redisServer.kill('SIGKILL');
  rmSync(redisDir, { recursive: true, force: true });
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.end();
}

const stat = (info: string, name: string) => Number(new RegExp(`${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);

try {
  for (let i = 0; i < 50; i++) {
    if (await redis.connect().then(() => true, () => false)) break;
    await sleep(100);
  }
  await launcher.start();
  const [first] = launcher.nodes;
  const signup = await fetch(`${first.url}/api/auth/signup`, {
    method: 'POST',
    headers: { origin: first.url, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', password: 'benchmark passphrase', displayName: 'Bench' }),
  });
  if (signup.status !== 201) throw new Error(`sign-up failed: ${signup.status} ${await signup.text()}`);
  const cookie = signup.headers.getSetCookie().find((c) => c.startsWith('warroom_session='))!.split(';')[0];
  const declared = await fetch(`${first.url}/api/incidents`, {
    method: 'POST',
    headers: { origin: first.url, 'content-type': 'application/json', cookie },
    body: JSON.stringify({ title: 'Cluster bench', severity: 2 }),
  });
  const { docId } = ((await declared.json()) as { incident: { docId: string } }).incident;
  const endpoint = (url: string): Endpoint => ({ url: `${url.replace('http', 'ws')}/collab/${docId}`, doc: docId, dialect: yWebsocket, headers: { origin: url, cookie } });

  // --- Latency: writer on process 1; readers on every process. ---
  const total = readersPerNode * 3;
  const deliveries = new Deliveries(total, updates, { latencies: true });
  const clocks = new ClockReader();
  const readers = await connectMany(total, 20, async (index) => {
    const node = launcher.nodes[Math.floor(index / readersPerNode)];
    const client = new CollabClient(endpoint(node.url), {
      keepDoc: index % readersPerNode === 0,
      onUpdate: (update, at) => {
        const ranges = clocks.ranges(update);
        for (let i = 0; i < ranges.length; i += 2) deliveries.received(index, ranges[i], ranges[i + 1], at);
      },
    });
    await client.synced;
    return client;
  });
  const writer = new CollabClient(endpoint(first.url));
  await writer.synced;
  await sleep(1000);
  const publishesBefore = stat(await redis.info('commandstats'), 'cmdstat_publish');
  const typist = new Typist();
  const interval = 1000 / rate;
  const started = performance.now();
  for (let k = 0; k < updates; k++) {
    const wait = started + k * interval - performance.now();
    if (wait > 0) await sleep(wait);
    deliveries.sent(k, performance.now());
    writer.send(yWebsocket.update(docId, typist.update(k)));
  }
  const drainedBy = performance.now() + 30_000;
  while (deliveries.slowest() < updates && performance.now() < drainedBy) await sleep(5);
  await sleep(500);
  const publishes = stat(await redis.info('commandstats'), 'cmdstat_publish') - publishesBefore;
  // Per update, every reader's latency in reader order (updates some reader never got are left out).
  const perGroup = [0, 1, 2].map((n) => {
    const values: number[] = [];
    for (let k = warmup; k < updates; k++) {
      const all = deliveries.latencies(k, k + 1);
      if (all.length === total) values.push(...all.slice(n * readersPerNode, (n + 1) * readersPerNode));
    }
    return sortNumbers(values);
  });
  const same = perGroup[0];
  const cross = sortNumbers([...perGroup[1], ...perGroup[2]]);
  const textsOk = readers.filter((r) => r.doc).every((r) => r.doc!.getText(TEXT_NAME).toString() === expectedText(updates));
  writer.close();
  for (const reader of readers) reader.close();

  // --- Rolling restart: stock providers through HAProxy; SIGTERM each process in turn. ---
  class Browser extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { origin: launcher.url, cookie } });
    }
  }
  const providers = Array.from({ length: 9 }, () => {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(`${launcher.url.replace('http', 'ws')}/collab`, docId, doc, {
      WebSocketPolyfill: Browser as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 1500,
    });
    return { doc, provider };
  });
  const allSynced = () => providers.every((p) => p.provider.wsconnected && p.provider.synced);
  while (!allSynced()) await sleep(20);
  const restartMs: number[] = [];
  const exitMs: number[] = [];
  for (let i = 0; i < Number(values.restarts); i++) {
    const node = launcher.nodes[i % launcher.nodes.length];
    // Someone keeps typing during the restart; every provider must end with it.
    const typing = setInterval(() => providers[0].doc.getArray('restart').push([Date.now()]), 50);
    const stoppedAt = performance.now();
    // Once the process has exited every socket it had is closed, so "all synced" means they came back.
    await launcher.terminate(node);
    exitMs.push(performance.now() - stoppedAt);
    while (!allSynced()) await sleep(5);
    restartMs.push(performance.now() - stoppedAt);
    clearInterval(typing);
    await launcher.startNode(node);
    const count = providers[0].doc.getArray('restart').length;
    const converged = performance.now() + 10_000;
    while (!providers.every((p) => p.doc.getArray('restart').length === count) && performance.now() < converged) await sleep(10);
    if (!providers.every((p) => p.doc.getArray('restart').length === count)) throw new Error(`restart of ${node.name}: providers did not converge`);
  }
  for (const p of providers) p.provider.destroy();

  const row = (name: string, sorted: Float64Array) =>
    `| ${name} | ${sorted.length} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${sorted[sorted.length - 1].toFixed(1)} |`;
  console.log(`\ncluster bench: 3 processes, writer on process 1 at ${rate} updates/s for ${updates} updates, ${readersPerNode} readers per process`);
  console.log('| readers | samples | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|');
  console.log(row('same process as the writer', same));
  console.log(row('other processes (through PostgreSQL + Redis)', cross));
  console.log(`cross-process p99 adds ${(percentile(cross, 99) - percentile(same, 99)).toFixed(1)} ms, p50 adds ${(percentile(cross, 50) - percentile(same, 50)).toFixed(1)} ms (target: p99 adds ≤ 5 ms)`);
  // One PUBLISH per committed batch (one INSERT statement, one transaction), so the same figure is PostgreSQL commits per update.
  console.log(`Redis PUBLISH per update: ${(publishes / updates).toFixed(2)} (each delivered to 3 subscribers) = PostgreSQL commits per update (one INSERT per batch)`);
  console.log(`readers holding the exact typed text: ${textsOk ? 'all' : 'NOT ALL'}`);
  console.log(
    `rolling restart (SIGTERM to each process in turn, 9 stock providers via HAProxy, one typing): the process exited after ${exitMs.map((ms) => Math.round(ms)).join(', ')} ms; every provider connected and synced again after ${restartMs.map((ms) => Math.round(ms)).join(', ')} ms`,
  );
  await cleanup();
} catch (error) {
  console.error(`cluster bench: ${(error as Error).stack}`);
  await cleanup();
  process.exit(1);
}
