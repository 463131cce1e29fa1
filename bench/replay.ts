/**
 * Time-travel replay of a war room, two cases:
 *
 * 1. A 4-hour incident of 5,000 updates from six people (timeline entries,
 *    hypothesis status changes, evidence, draft typing), stored the way the
 *    collaboration server stores it (log rows with id ranges, compacted every
 *    500 updates), then replayed at 20 random moments through the replay
 *    service (its worker thread), i.e. what GET …/replay does minus HTTP.
 *    "cold" is a first request for the incident (load its history, then
 *    answer); "warm" is a slider scrub (history loaded).
 * 2. A timeline of 100,000 entries, over HTTP, with /healthz probed back to
 *    back (replay-large.ts): what a reader costs everyone else.
 *
 *   npm run bench -- replay [--updates 5000] [--moments 20] [--entries 100000] [--per-change 10] [--only small|large]
 *
 * Runs on PGlite, and on PostgreSQL too when DATABASE_URL is set (in a
 * throwaway schema).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import * as Y from 'yjs';
import { createUser } from '../server/auth/users.ts';
import { createDocument } from '../server/collab/documents.ts';
import { describeUpdate } from '../server/collab/history.ts';
import { sqlDocumentStore, type StoredUpdate } from '../server/collab/storage.ts';
import { openDatabase, type Database } from '../server/db/database.ts';
import { migrate } from '../server/db/migrate.ts';
import type { Sql } from '../server/db/sql.ts';
import { printLargeReplay, runLargeReplay, type LargeReplayResult } from './replay-large.ts';
import { createLogger } from '../server/log.ts';
import { ReplayService } from '../server/replay/service.ts';
import {
  addEvidence,
  addHypothesis,
  addTimelineEntry,
  draftText,
  HYPOTHESIS_STATUSES,
  hypothesesMap,
  removeTimelineEntry,
  seedDrafts,
  TIMELINE_KINDS,
  timelineMap,
  updateHypothesis,
  updateTimelineEntry,
} from '../server/shared/war-room-doc.ts';

const { values: args } = parseArgs({
  options: {
    updates: { type: 'string', default: '5000' },
    moments: { type: 'string', default: '20' },
    people: { type: 'string', default: '6' },
    entries: { type: 'string', default: '100000' },
    'per-change': { type: 'string', default: '10' },
    only: { type: 'string' },
  },
});
const UPDATES = Number(args.updates);
const MOMENTS = Number(args.moments);
const PEOPLE = Number(args.people);
const DURATION_MS = 4 * 3_600_000;
const COMPACT_EVERY = 500;
const BATCH = 50;
const DOC_ID = 'incident-bench-replay';

// Deterministic, so runs compare.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** Six editors in sync through a gc-off "server" copy; each change becomes one stored update. */
async function synthesise(sql: Sql): Promise<{ start: Date; end: Date }> {
  const store = sqlDocumentStore(sql);
  await createDocument(sql, DOC_ID, 'war-room');
  const users: { id: string; person: { id: string; name: string }; doc: Y.Doc }[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const user = await createUser(sql, { email: `bench${i}@example.com`, displayName: `Responder ${i}`, passwordHash: 'x', role: 'member' });
    users.push({ id: user.id, person: { id: user.id, name: user.displayName }, doc: new Y.Doc() });
  }
  const server = new Y.Doc({ gc: false });
  const start = new Date(Date.UTC(2026, 2, 1, 14, 0));
  const offsets = Array.from({ length: UPDATES }, () => Math.floor(random() * DURATION_MS)).sort((a, b) => a - b);

  let pending: StoredUpdate[] = [];
  let lastSeq = 0;
  let sinceCompaction = 0;
  let compacted: Uint8Array | undefined;
  const flush = async () => {
    if (pending.length === 0) return;
    lastSeq = await store.append(DOC_ID, pending);
    sinceCompaction += pending.length;
    pending = [];
    if (sinceCompaction >= COMPACT_EVERY) {
      // Segments append: each holds what changed since the previous compaction, as the server's do.
      await store.compact(DOC_ID, [Y.encodeStateAsUpdate(server, compacted)], lastSeq);
      compacted = Y.encodeStateVector(server);
      sinceCompaction = 0;
    }
  };
  const record = async (author: (typeof users)[number] | null, at: Date, change: (doc: Y.Doc) => void) => {
    const editor = author ?? users[0];
    // What a provider sends: the transaction's own update (a state-vector diff would carry the whole delete set).
    const captured: Uint8Array[] = [];
    const capture = (u: Uint8Array) => captured.push(u);
    editor.doc.on('update', capture);
    editor.doc.transact(() => change(editor.doc));
    editor.doc.off('update', capture);
    if (captured.length === 0) return;
    const update = captured.length === 1 ? captured[0] : Y.mergeUpdates(captured);
    Y.applyUpdate(server, update);
    for (const other of users) if (other !== editor) Y.applyUpdate(other.doc, update);
    pending.push({ update, userId: author?.id ?? null, receivedAt: at, ids: describeUpdate(update) });
    if (pending.length >= BATCH) await flush();
  };

  await record(null, start, (doc) => seedDrafts(doc, { responders: 'Investigating.\n', support: 'We are aware.\n', leadership: 'Impact: ', public: 'We are investigating.\n' }));
  for (let n = 0; n < UPDATES; n++) {
    const author = pick(users);
    const at = new Date(start.getTime() + offsets[n]);
    const roll = random();
    await record(author, at, (doc) => {
      const hypotheses = [...hypothesesMap(doc).keys()];
      const entries = [...timelineMap(doc).keys()];
      if (roll < 0.45) {
        const text = draftText(doc, pick(['responders', 'support', 'leadership', 'public']))!;
        const position = Math.floor(random() * (text.length + 1));
        if (random() < 0.15 && text.length > 10) text.delete(Math.min(position, text.length - 3), 3);
        else text.insert(position, pick(['a', 'e ', 'the ', 'db ', 'rollback ', '\n', 'ok']));
      } else if (roll < 0.7) {
        const r = random();
        if (r < 0.8 || entries.length < 5) {
          addTimelineEntry(doc, { at: at.toISOString(), kind: pick(TIMELINE_KINDS), text: `Entry ${n}`, author: author.person, hypothesisId: null });
        } else if (r < 0.9) updateTimelineEntry(doc, pick(entries), { text: `Edited at ${n}` });
        else removeTimelineEntry(doc, pick(entries), author.person);
      } else if (roll < 0.9 && hypotheses.length > 0) {
        updateHypothesis(doc, pick(hypotheses), author.person, { status: pick(HYPOTHESIS_STATUSES) });
      } else if (roll < 0.95 || hypotheses.length === 0) {
        addHypothesis(doc, { statement: `Hypothesis ${n}`, owner: author.person, by: author.person });
      } else {
        addEvidence(doc, pick(hypotheses), { text: `Evidence ${n}`, url: null, by: author.person });
      }
    });
  }
  await flush();
  return { start, end: new Date(start.getTime() + DURATION_MS) };
}

const LIMITS = { timeline: 500, hypotheses: 500, drafts: 16, draftChars: 100_000 };

async function replayOnce(service: ReplayService, at: Date): Promise<number> {
  const began = performance.now();
  JSON.parse(await service.view(DOC_ID, at, LIMITS));
  return performance.now() - began;
}

/** A service whose worker thread is already running, so "cold" measures loading the history, not starting a thread. */
async function startedService(sql: Sql): Promise<ReplayService> {
  const service = new ReplayService({ sql, log: createLogger('silent') });
  await service.steps('bench-no-such-document');
  return service;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
};

async function measure(label: string, db: Database) {
  await migrate(db.sql);
  const began = performance.now();
  const { start, end } = await synthesise(db.sql);
  const synthMs = performance.now() - began;
  const [{ history, log }] = await db.sql<{ history: number; log: number }>`
    select (select count(*)::int from document_history where doc_id = ${DOC_ID}) as history,
           (select count(*)::int from document_updates where doc_id = ${DOC_ID}) as log`;
  const moments = Array.from({ length: MOMENTS }, () => new Date(start.getTime() + Math.floor(random() * (end.getTime() - start.getTime()))));

  const cold: number[] = [];
  for (const at of moments) {
    const service = await startedService(db.sql);
    cold.push(await replayOnce(service, at));
    await service.close();
  }
  const service = await startedService(db.sql);
  await replayOnce(service, start);
  const warm: number[] = [];
  for (const at of moments) warm.push(await replayOnce(service, at));
  const ticksBegan = performance.now();
  const ticks = (JSON.parse(await service.steps(DOC_ID)) as { steps: unknown[] }).steps;
  const ticksMs = performance.now() - ticksBegan;
  await service.close();
  return { label, synthMs, history, log, ticks: ticks.length, ticksMs, cold: summary(cold), warm: summary(warm) };
}

async function throwawaySchema(url: string): Promise<Database> {
  const schema = `bench_replay_${Date.now().toString(36)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema ${schema}`);
  await admin.end();
  const inner = await openDatabase({ url, schema });
  return {
    ...inner,
    async close() {
      await inner.close();
      const cleanup = postgres(url, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop schema if exists ${schema} cascade`);
      await cleanup.end();
    },
  };
}

const large = { entries: Number(args.entries), perChange: Number(args['per-change']), moments: 5 };
const results: Awaited<ReturnType<typeof measure>>[] = [];
if (args.only !== 'large') {
const dir = mkdtempSync(join(tmpdir(), 'warroom-bench-replay-'));
try {
  const pglite = await openDatabase({ dataDir: dir });
  try {
    results.push(await measure('PGlite', pglite));
  } finally {
    await pglite.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (process.env.DATABASE_URL) {
  const pg = await throwawaySchema(process.env.DATABASE_URL);
  try {
    results.push(await measure('PostgreSQL', pg));
  } finally {
    await pg.close();
  }
}

const fmt = (n: number) => n.toFixed(1);
console.log(`\nReplay of a 4-hour war room: ${UPDATES} updates from ${PEOPLE} people, ${MOMENTS} random moments, through the replay worker (target: < 200 ms warm)\n`);
console.log('| backend | history rows | log rows | phase | p50 ms | p99 ms | max ms |');
console.log('|---------|-------------:|---------:|-------|-------:|-------:|-------:|');
for (const r of results) {
  console.log(`| ${r.label} | ${r.history} | ${r.log} | cold (first load) | ${fmt(r.cold.p50)} | ${fmt(r.cold.p99)} | ${fmt(r.cold.max)} |`);
  console.log(`| ${r.label} | ${r.history} | ${r.log} | warm (cached) | ${fmt(r.warm.p50)} | ${fmt(r.warm.p99)} | ${fmt(r.warm.max)} |`);
}
console.log('');
for (const r of results) console.log(`- ${r.label}: synthesis ${fmt(r.synthMs / 1000)} s; slider steps (${r.ticks} steps for ${UPDATES + 1} changes, warm) ${fmt(r.ticksMs)} ms`);
}

if (args.only !== 'small') {
  const largeResults: LargeReplayResult[] = [];
  const lite = await openDatabase({});
  try {
    largeResults.push(await runLargeReplay('PGlite', lite, large));
  } finally {
    await lite.close();
  }
  if (process.env.DATABASE_URL) {
    const pg = await throwawaySchema(process.env.DATABASE_URL);
    try {
      largeResults.push(await runLargeReplay('PostgreSQL', pg, large));
    } finally {
      await pg.close();
    }
  }
  printLargeReplay(largeResults, large);
}

export {};
