/**
 * `npm run bench -- cluster-crash [--kills 20] [--writers 20] [--nodes 3]`:
 * cluster mode under process crashes, through HAProxy. N processes, writers
 * typing into one war room and a watcher, all stock y-websocket providers
 * connected to the load balancer; every few seconds a random process gets
 * kill -9 and is started again. Reports the time from each kill to every
 * client re-synced (connected, synced, holding everything typed before the
 * kill) and whether anything any client had received was lost.
 *
 * Needs the built app (`npm run build`), HAProxy, PostgreSQL and Redis (the
 * local ones, or BENCH_DATABASE_URL / REDIS_URL); makes and drops its own
 * database and uses its own Redis prefix.
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { NodeLauncher } from '../scripts/cluster/launch.ts';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    writers: { type: 'string', default: '20' },
    nodes: { type: 'string', default: '3' },
    'every-ms': { type: 'string', default: '3000' },
  },
});
const kills = Number(values.kills);
const writerCount = Number(values.writers);
const everyMs = Number(values['every-ms']);

const missing = NodeLauncher.missing();
if (missing) {
  console.error(`cluster-crash: ${missing}`);
  process.exit(1);
}

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `warroom_crash_${process.pid}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
await admin.unsafe(`create database ${database}`);
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
// Below the ephemeral range (32768+), where outgoing connections could already hold the port.
const port = 21_000 + Math.floor(Math.random() * 8_000);
const launcher = new NodeLauncher({
  nodes: Number(values.nodes),
  port,
  databaseUrl,
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  redisPrefix: `bench-crash-${process.pid}`,
  logLevel: 'warn',
  output: (name, line) => {
    if (!line.includes('"level":40') && !line.includes('NOTICE') && !line.includes('WARNING')) process.stdout.write(`[${name}] ${line}\n`);
  },
});

interface Client {
  name: string;
  doc: Y.Doc;
  provider: WebsocketProvider;
  items: Y.Array<string>;
}

const clients: Client[] = [];
let stopping = false;
async function cleanup() {
  stopping = true;
  for (const c of clients) c.provider.destroy();
  await launcher.stop();
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.end();
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  await launcher.start();
  const base = launcher.url;
  // The first sign-up is the admin; an incident gives the war room.
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { origin: base, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'crash@example.com', password: 'correct horse battery staple', displayName: 'Crash' }),
  });
  if (signup.status !== 201) throw new Error(`sign-up failed: ${signup.status} ${await signup.text()}`);
  const cookie = signup.headers.getSetCookie().find((c) => c.startsWith('warroom_session='))!.split(';')[0];
  const declared = await fetch(`${base}/api/incidents`, {
    method: 'POST',
    headers: { origin: base, 'content-type': 'application/json', cookie },
    body: JSON.stringify({ title: 'Crash test', severity: 1 }),
  });
  if (declared.status !== 201) throw new Error(`declare failed: ${declared.status} ${await declared.text()}`);
  const { docId, ref } = ((await declared.json()) as { incident: { docId: string; ref: string } }).incident;

  // Three tabs per person: one person's connections to a document are capped (COLLAB_MAX_CONNECTIONS_PER_USER).
  const cookies = [cookie];
  for (let p = 1; p < Math.ceil((writerCount + 2) / 3); p++) {
    const invite = await fetch(`${base}/api/admin/invites`, { method: 'POST', headers: { origin: base, 'content-type': 'application/json', cookie }, body: '{}' });
    const token = new URL(((await invite.json()) as { url: string }).url).searchParams.get('invite');
    const member = await fetch(`${base}/api/auth/signup`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json' },
      body: JSON.stringify({ email: `crash${p}@example.com`, password: 'correct horse battery staple', displayName: `Writer ${p}`, invite: token }),
    });
    if (member.status !== 201) throw new Error(`member sign-up failed: ${member.status} ${await member.text()}`);
    cookies.push(member.headers.getSetCookie().find((c) => c.startsWith('warroom_session='))!.split(';')[0]);
    // A responder writes; anyone else only reads a war room.
    const userId = ((await member.json()) as { user: { id: string } }).user.id;
    const added = await fetch(`${base}/api/incidents/${ref}/participants`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/json', cookie },
      body: JSON.stringify({ userId, kind: 'responder' }),
    });
    if (added.status !== 200) throw new Error(`adding a responder failed: ${added.status} ${await added.text()}`);
  }
  const connect = (name: string): Client => {
    const personCookie = cookies[Math.floor(clients.length / 3) % cookies.length];
    class Browser extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { origin: base, cookie: personCookie } });
      }
    }
    const doc = new Y.Doc();
    // The app's own retry bound (src/lib/collab/collab-doc.svelte.ts).
    const provider = new WebsocketProvider(`${base.replace('http', 'ws')}/collab`, docId, doc, {
      WebSocketPolyfill: Browser as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 1500,
    });
    const client = { name, doc, provider, items: doc.getArray<string>('crash-items') };
    clients.push(client);
    return client;
  };
  const writers = Array.from({ length: writerCount }, (_, i) => connect(`w${i}`));
  const watcher = connect('watcher');
  const deadline = Date.now() + 30_000;
  while (!clients.every((c) => c.provider.synced)) {
    if (Date.now() > deadline) throw new Error('clients did not sync within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  // Typing: every writer adds one item about every 250 ms.
  const typed: string[] = [];
  const seenByWatcher = new Set<string>();
  watcher.items.observe(() => {
    for (const item of watcher.items.toArray()) seenByWatcher.add(item);
  });
  const typing = writers.map((w, n) => {
    let i = 0;
    return setInterval(() => {
      if (stopping) return;
      const item = `w${n}-${i++}`;
      w.items.push([item]);
      typed.push(item);
    }, 200 + Math.floor(Math.random() * 100));
  });

  const resyncMs: number[] = [];
  for (let k = 0; k < kills; k++) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const victim = launcher.nodes[Math.floor(Math.random() * launcher.nodes.length)];
    const before = typed.length;
    const killedAt = performance.now();
    await launcher.kill(victim);
    const restarting = launcher.startNode(victim);
    // Re-synced: every client connected, synced, and holding everything typed before the kill.
    const limit = Date.now() + 30_000;
    let connectedMs: number | null = null;
    for (;;) {
      if (connectedMs === null && clients.every((c) => c.provider.wsconnected && c.provider.synced)) connectedMs = performance.now() - killedAt;
      const done = clients.every((c) => c.provider.wsconnected && c.provider.synced && c.items.length >= before);
      if (done) break;
      if (Date.now() > limit) throw new Error(`kill ${k + 1}: clients not re-synced within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    resyncMs.push(performance.now() - killedAt);
    console.log(`kill ${k + 1}/${kills}: ${victim.name}, every client connected and synced after ${Math.round(connectedMs ?? NaN)} ms, holding everything after ${Math.round(resyncMs[resyncMs.length - 1])} ms`);
    await restarting;
  }
  for (const timer of typing) clearInterval(timer);

  // Everyone converges on everything typed; then a fresh client (from the database) must hold it too.
  const settle = Date.now() + 30_000;
  while (!clients.every((c) => c.items.length === typed.length)) {
    if (Date.now() > settle) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const fresh = connect('fresh');
  while (!fresh.provider.synced && Date.now() < settle + 10_000) await new Promise((resolve) => setTimeout(resolve, 50));
  const stored = new Set(fresh.items.toArray());
  const lostSeen = [...seenByWatcher].filter((item) => !stored.has(item)).length;
  const lostTyped = typed.filter((item) => !stored.has(item)).length;
  const notConverged = clients.filter((c) => c.items.length !== typed.length).map((c) => c.name);

  const sorted = [...resyncMs].sort((a, b) => a - b);
  const pct = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
  console.log('\ncluster crash test (stock providers through HAProxy, kill -9 of a random process)');
  console.log(`processes ${launcher.nodes.length}, writers ${writerCount} + 1 watcher, kills ${kills}, one every ${everyMs} ms`);
  console.log(`items typed ${typed.length}; seen by the watcher ${seenByWatcher.size}; lost of those seen ${lostSeen}; lost of all typed ${lostTyped}`);
  console.log(`clients not converged at the end: ${notConverged.length === 0 ? 'none' : notConverged.join(', ')}`);
  console.log(`kill → every client re-synced: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${Math.round(sorted[sorted.length - 1])} ms (target p99 < 3000 ms)`);
  await cleanup();
  process.exit(lostSeen === 0 && lostTyped === 0 && notConverged.length === 0 ? 0 : 1);
} catch (error) {
  console.error(`cluster-crash: ${(error as Error).stack}`);
  await cleanup();
  process.exit(1);
}
