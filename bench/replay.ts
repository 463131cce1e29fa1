/**
 * Time-travel replay of a war room: a 4-hour incident of 5,000 updates from
 * six people (timeline entries, hypothesis status changes, evidence, draft
 * typing), stored the way the collaboration server stores it (log rows with
 * id ranges, compacted every 500 updates), then replayed at 20 random moments.
 *
 *   npm run bench -- replay [--updates 5000] [--moments 20]
 *
 * Runs on a fresh PGlite on disk, and on PostgreSQL too when DATABASE_URL is
 * set (in a throwaway schema). "cold" is a first request (empty cache: load
 * snapshot + log, then replay); "warm" is a slider scrub (document cached).
 * Each figure covers replay plus reading the board, timeline and drafts,
 * i.e. what GET /api/incidents/:ref/replay does minus HTTP.
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
import { ReplayCache, replayDocumentAt, replayTimeline } from '../server/postmortem/replay.ts';
import {
  addEvidence,
  addHypothesis,
  addTimelineEntry,
  draftsMap,
  draftText,
  HYPOTHESIS_STATUSES,
  hypothesesMap,
  readDraft,
  readHypotheses,
  readTimeline,
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
  const flush = async () => {
    if (pending.length === 0) return;
    lastSeq = await store.append(DOC_ID, pending);
    sinceCompaction += pending.length;
    pending = [];
    if (sinceCompaction >= COMPACT_EVERY) {
      await store.compact(DOC_ID, Y.encodeStateAsUpdate(server), lastSeq);
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
        else removeTimelineEntry(doc, pick(entries));
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

async function replayOnce(sql: Sql, at: Date, cache: ReplayCache): Promise<number> {
  const began = performance.now();
  const doc = await replayDocumentAt(sql, DOC_ID, at, { cache });
  readTimeline(doc);
  readHypotheses(doc);
  for (const audience of draftsMap(doc).keys()) readDraft(doc, audience);
  const ms = performance.now() - began;
  doc.destroy();
  return ms;
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
  for (const at of moments) cold.push(await replayOnce(db.sql, at, new ReplayCache()));
  const cache = new ReplayCache();
  await replayOnce(db.sql, start, cache);
  const warm: number[] = [];
  for (const at of moments) warm.push(await replayOnce(db.sql, at, cache));
  const ticksBegan = performance.now();
  const ticks = await replayTimeline(db.sql, DOC_ID, { cache });
  const ticksMs = performance.now() - ticksBegan;
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

const results: Awaited<ReturnType<typeof measure>>[] = [];
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
console.log(`\nReplay of a 4-hour war room: ${UPDATES} updates from ${PEOPLE} people, ${MOMENTS} random moments (target: < 200 ms warm)\n`);
console.log('| backend | history rows | log rows | phase | p50 ms | p99 ms | max ms |');
console.log('|---------|-------------:|---------:|-------|-------:|-------:|-------:|');
for (const r of results) {
  console.log(`| ${r.label} | ${r.history} | ${r.log} | cold (first load) | ${fmt(r.cold.p50)} | ${fmt(r.cold.p99)} | ${fmt(r.cold.max)} |`);
  console.log(`| ${r.label} | ${r.history} | ${r.log} | warm (cached) | ${fmt(r.warm.p50)} | ${fmt(r.warm.p99)} | ${fmt(r.warm.max)} |`);
}
console.log('');
for (const r of results) console.log(`- ${r.label}: synthesis ${fmt(r.synthMs / 1000)} s; moments list (${r.ticks} ticks, warm) ${fmt(r.ticksMs)} ms`);

export {};
