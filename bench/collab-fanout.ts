/**
 * Fan-out of one live document: 1 writer, N readers (10, 100, 500) on
 * loopback, speaking the plain y-websocket protocol, so the same workload runs
 * against any y-websocket-compatible server.
 *
 *   npm run bench -- collab                      starts our server (child process, fresh PGlite on disk)
 *   npm run bench -- collab --url ws://host:port/collab --doc name [--cookie 'k=v'] [--pid 1234]
 *
 * Reports send→receipt latency at every reader (p50/p99), sustained updates/s,
 * server RSS per connection (when the server's pid is known) and the time to
 * open a document with 10,000 updates from cold (log replay after a crash, and
 * from the snapshot written on a clean shutdown). Every phase is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    doc: { type: 'string', default: 'bench-fanout' },
    cookie: { type: 'string' },
    pid: { type: 'string' },
    readers: { type: 'string', default: '10,100,500' },
    updates: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '3' },
  },
});

const CHILD = join(import.meta.dirname, '..', 'tests', 'helpers', 'collab-child.ts');
const PHASE_TIMEOUT_MS = 60_000;

// --- the protocol, by hand ---------------------------------------------------

function frame(type: number, subtype: number | null, payload: Uint8Array | null): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  if (subtype !== null) encoding.writeVarUint(encoder, subtype);
  if (payload) encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}
const updateFrame = (update: Uint8Array) => frame(0, 2, update);
const syncStep1 = (doc: Y.Doc) => frame(0, 0, Y.encodeStateVector(doc));

/** 'update' for sync updates, 'step2' for sync-step-2, else null. */
function kindOf(data: Uint8Array): 'update' | 'step2' | null {
  const decoder = decoding.createDecoder(data);
  if (decoding.readVarUint(decoder) !== 0) return null;
  const subtype = decoding.readVarUint(decoder);
  return subtype === 2 ? 'update' : subtype === 1 ? 'step2' : null;
}

interface Target {
  url: string;
  doc: string;
  headers: Record<string, string>;
  pid: number | null;
}

function open(target: Target, docId = target.doc): Promise<WebSocket> {
  const ws = new WebSocket(`${target.url}/${docId}`, { headers: target.headers, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), 10_000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const within = <T>(promise: Promise<T>, what: string, ms = PHASE_TIMEOUT_MS) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} timed out`)), ms).unref())]);

/** The server's resident set, as the median of five samples 100 ms apart (GC makes single readings jumpy). */
async function rssKb(pid: number | null): Promise<number | null> {
  if (!pid) return null;
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match) samples.push(Number(match[1]));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return samples.length ? samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] : null;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// --- phases ------------------------------------------------------------------

/** A writer that owns a Y.Doc and sends each change as its own update message. */
async function openWriter(target: Target) {
  const ws = await open(target);
  const doc = new Y.Doc();
  ws.send(syncStep1(doc));
  let n = 0;
  return {
    ws,
    write() {
      const before = Y.encodeStateVector(doc);
      doc.getArray<number>('bench').push([n++]);
      ws.send(updateFrame(Y.encodeStateAsUpdate(doc, before)));
    },
    close: () => ws.close(),
  };
}

async function fanout(target: Target, readerCount: number, updates: number, seconds: number) {
  const writer = await openWriter(target);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const rssBefore = await rssKb(target.pid);
  const readers: { ws: WebSocket; received: number[] }[] = [];
  for (let i = 0; i < readerCount; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, readerCount - i) }, () => open(target)));
    for (const ws of batch) {
      const reader = { ws, received: [] as number[] };
      ws.on('message', (data: Buffer) => {
        if (kindOf(data) === 'update') reader.received.push(performance.now());
      });
      readers.push(reader);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const rssAfter = await rssKb(target.pid);

  // Latency: a steady 100 updates/s, so queues stay short and we measure the path, not the backlog.
  const sentAt: number[] = [];
  for (let i = 0; i < updates; i++) {
    sentAt.push(performance.now());
    writer.write();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await within(waitUntil(() => readers.every((r) => r.received.length >= updates)), `readers to receive ${updates} updates`);
  const latencies: number[] = [];
  for (const reader of readers) for (let i = 0; i < updates; i++) latencies.push(reader.received[i] - sentAt[i]);
  latencies.sort((a, b) => a - b);

  // Throughput: as fast as the slowest reader keeps up, with at most 200 updates in flight.
  for (const reader of readers) reader.received.length = 0;
  const started = performance.now();
  let sent = 0;
  const slowest = () => Math.min(...readers.map((r) => r.received.length));
  while (performance.now() - started < seconds * 1000) {
    while (sent - slowest() < 200 && sent < 1_000_000) {
      writer.write();
      sent++;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const done = sent;
  await within(waitUntil(() => slowest() >= done), 'readers to drain');
  const elapsed = (performance.now() - started) / 1000;

  for (const reader of readers) reader.ws.close();
  writer.close();
  return {
    readers: readerCount,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: done / elapsed,
    rssPerConnectionKb: rssBefore !== null && rssAfter !== null ? (rssAfter - rssBefore) / readerCount : null,
  };
}

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000_000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Time from opening a socket to holding the whole document (sync step 2). */
async function coldOpen(target: Target, docId: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const ws = await open(target, docId);
  const step2 = new Promise<number>((resolve) =>
    ws.on('message', (data: Buffer) => {
      if (kindOf(data) === 'step2') resolve(data.byteLength);
    }),
  );
  ws.send(syncStep1(new Y.Doc()));
  const bytes = await within(step2, 'cold open');
  const ms = performance.now() - started;
  ws.close();
  return { ms, bytes };
}

async function fill(target: Target, docId: string, count: number) {
  const writer = await openWriter({ ...target, doc: docId });
  const watcher = await open(target, docId);
  let seen = 0;
  watcher.on('message', (data: Buffer) => {
    if (kindOf(data) === 'update') seen++;
  });
  for (let i = 0; i < count; i++) {
    writer.write();
    if (i % 200 === 199) await within(waitUntil(() => seen >= i - 400), 'filling');
  }
  await within(waitUntil(() => seen >= count), 'the last fill update');
  writer.close();
  watcher.close();
}

// --- our own server, when no --url is given -----------------------------------

async function startOwnServer(dataDir: string, docIds: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; target: Target }> {
  const child = spawn(process.execPath, ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', CHILD], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      COLLAB_DOC_ID: docIds.join(','),
      COLLAB_MESSAGES_PER_SECOND: '100000',
      COLLAB_MAX_CONNECTIONS_PER_DOC: '2000',
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await within(new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve)), 'server start');
  const base: string = JSON.parse(line).url;
  let cookie = args.cookie;
  if (!cookie) {
    const body = { email: 'bench@example.com', displayName: 'Bench', password: 'benchmark passphrase' };
    const headers = { origin: base, 'content-type': 'application/json' };
    let response = await fetch(`${base}/api/auth/signup`, { method: 'POST', headers, body: JSON.stringify(body) });
    if (response.status !== 201) response = await fetch(`${base}/api/auth/login`, { method: 'POST', headers, body: JSON.stringify(body) });
    cookie = response.headers.getSetCookie()[0].split(';')[0];
  }
  return { child, target: { url: `${base.replace(/^http/, 'ws')}/collab`, doc: docIds[0], headers: { origin: base, cookie }, pid: child.pid ?? null } };
}

const stop = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill(signal);
  });

// --- main ----------------------------------------------------------------------

const readerCounts = args.readers!.split(',').map(Number);
const updates = Number(args.updates);
const seconds = Number(args.seconds);
const rows: Awaited<ReturnType<typeof fanout>>[] = [];
const cold: { replay: { ms: number; bytes: number } | null; snapshot: { ms: number; bytes: number } | null } = { replay: null, snapshot: null };

if (args.url) {
  const target: Target = { url: args.url, doc: args.doc!, headers: args.cookie ? { cookie: args.cookie } : {}, pid: args.pid ? Number(args.pid) : null };
  for (const n of readerCounts) rows.push(await fanout(target, n, updates, seconds));
  const coldDoc = `${args.doc}-cold`;
  await fill(target, coldDoc, 10_000);
  cold.snapshot = await coldOpen(target, coldDoc);
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'warroom-bench-'));
  try {
    const docs = ['bench-fanout', 'bench-cold'];
    let server: Awaited<ReturnType<typeof startOwnServer>>;
    // A fresh server per reader count, so RSS and latency of one phase do not inherit the last one's garbage.
    for (const n of readerCounts) {
      server = await startOwnServer(dataDir, docs);
      rows.push(await fanout(server.target, n, updates, seconds));
      await stop(server.child, 'SIGTERM');
    }
    // Compaction off while filling, and SIGKILL so nothing compacts on the way out: the next open replays 10,000 log rows.
    const noCompaction = { COLLAB_COMPACT_AFTER_UPDATES: '1000000000', COLLAB_COMPACT_AFTER_BYTES: '1000000000' };
    server = await startOwnServer(dataDir, docs, noCompaction);
    await fill(server.target, 'bench-cold', 10_000);
    await stop(server.child, 'SIGKILL');
    server = await startOwnServer(dataDir, docs, noCompaction);
    cold.replay = await coldOpen(server.target, 'bench-cold');
    // A clean shutdown compacts; the next open reads one snapshot.
    await stop(server.child, 'SIGTERM');
    server = await startOwnServer(dataDir, docs);
    cold.snapshot = await coldOpen(server.target, 'bench-cold');
    await stop(server.child, 'SIGTERM');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (n: number | null, digits = 1) => (n === null ? 'n/a' : n.toFixed(digits));
console.log('\nOne writer, N readers, one document (loopback)\n');
console.log('| readers | p50 latency ms | p99 latency ms | updates/s sustained | server RSS per connection KiB |');
console.log('|--------:|---------------:|---------------:|--------------------:|------------------------------:|');
for (const row of rows) console.log(`| ${row.readers} | ${fmt(row.p50, 2)} | ${fmt(row.p99, 2)} | ${fmt(row.perSecond, 0)} | ${fmt(row.rssPerConnectionKb)} |`);
console.log('\nCold open of a document with 10,000 updates (connect → full state)\n');
if (cold.replay) console.log(`- after a crash (replay of the whole log): ${fmt(cold.replay.ms)} ms, ${cold.replay.bytes} bytes`);
if (cold.snapshot) console.log(`- after a clean shutdown (snapshot only): ${fmt(cold.snapshot.ms)} ms, ${cold.snapshot.bytes} bytes`);
process.exit(0);
