/**
 * Knowledge-base search over a year of 10,000 demo incidents (seedDemo), on
 * PGlite and on PostgreSQL when DATABASE_URL is set (in a throwaway schema).
 *
 *   npm run bench -- search [--incidents 10000] [--repeat 3]
 *
 * Queries are drawn (deterministically) from the seeded text itself, in the
 * shapes people type: one word, two words, a quoted phrase, words with
 * filters, filters alone, and words found nowhere. Each runs once to warm up,
 * then --repeat times, through searchIncidents: what GET /api/search does
 * minus HTTP, including ts_headline snippets for the 20 results of the page.
 * Half run as an admin, half as a member (the private-incident filter).
 * Target: p95 < 100 ms.
 *
 * PGlite runs inside this process, so for it the CPU time spent per query is
 * measured too: on a shared, busy machine wall time mostly measures waiting
 * for a core, CPU time what the query itself costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openDatabase, type Database } from '../server/db/database.ts';
import { migrate } from '../server/db/migrate.ts';
import type { Sql } from '../server/db/sql.ts';
import { seedDemo } from '../server/demo/seed.ts';
import { findIncidentByNumber } from '../server/incidents/repo.ts';
import type { Viewer } from '../server/incidents/search.ts';
import { parseQuery } from '../server/search/query.ts';
import { searchIncidents, type SearchFilter } from '../server/search/repo.ts';
import { findSimilarIncidents } from '../server/search/similar.ts';
import { FACTOR_CATEGORIES } from '../server/shared/postmortem-doc.ts';

const { values: args } = parseArgs({
  options: {
    incidents: { type: 'string', default: '10000' },
    repeat: { type: 'string', default: '3' },
  },
});
const INCIDENTS = Number(args.incidents);
const REPEAT = Number(args.repeat);
const NOW = new Date(Date.UTC(2026, 10, 1));

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

interface Case {
  shape: string;
  label: string;
  filter: Omit<SearchFilter, 'limit' | 'offset' | 'drills'> & { drills?: SearchFilter['drills'] };
}

const STOP = new Set(['the', 'and', 'for', 'with', 'was', 'were', 'from', 'that', 'this', 'into', 'after', 'before', 'when', 'then', 'than', 'our', 'its', 'not', 'but', 'all', 'out', 'over']);
const wordsOf = (text: string) => (text.toLowerCase().match(/[a-z][a-z0-9]{3,}/g) ?? []).filter((w) => !STOP.has(w));

/** Fifty-odd queries drawn from the seeded text. */
async function queries(sql: Sql): Promise<Case[]> {
  const titles = (await sql<{ title: string }>`select title from incidents order by number limit 2000`).map((r) => r.title);
  const factors = (
    await sql<{ d: string }>`
      select f ->> 'description' as d from postmortem_versions v cross join jsonb_array_elements(v.snapshot -> 'factors') f limit 2000`
  ).map((r) => r.d);
  const summaries = (await sql<{ summary: string }>`select summary from incidents where summary <> '' order by number limit 2000`).map((r) => r.summary);
  const services = (await sql<{ s: string }>`select distinct unnest(services) as s from incidents order by 1`).map((r) => r.s);
  const cases: Case[] = [];
  const add = (shape: string, label: string, filter: Case['filter']) => cases.push({ shape, label, filter });

  for (let i = 0; i < 12; i++) {
    const word = pick(wordsOf(pick(titles)).concat(wordsOf(pick(summaries))));
    add('one word', word, { query: parseQuery(word) });
  }
  for (let i = 0; i < 12; i++) {
    const words = wordsOf(pick(summaries).concat(' ', pick(titles)));
    const q = `${pick(words)} ${pick(words)}`;
    add('two words', q, { query: parseQuery(q) });
  }
  for (let i = 0; i < 10; i++) {
    const words = (pick(factors.length ? factors : summaries).match(/\S+/g) ?? []).map((w) => w.replace(/[^\w-]/g, ''));
    const start = Math.floor(random() * Math.max(1, words.length - 3));
    const q = `"${words.slice(start, start + 2 + Math.floor(random() * 2)).join(' ')}"`;
    add('phrase', q, { query: parseQuery(q) });
  }
  for (let i = 0; i < 10; i++) {
    const word = pick(wordsOf(pick(titles)));
    const service = pick(services);
    const variant = i % 4;
    if (variant === 0) add('word + filters', `${word} service=${service}`, { query: parseQuery(word), services: [service] });
    if (variant === 1) add('word + filters', `${word} severity=1,2`, { query: parseQuery(word), severities: [1, 2] });
    if (variant === 2) {
      const category = pick(FACTOR_CATEGORIES);
      add('word + filters', `${word} category=${category}`, { query: parseQuery(word), categories: [category] });
    }
    if (variant === 3) {
      const from = new Date(NOW.getTime() - (30 + Math.floor(random() * 240)) * 86_400_000);
      add('word + filters', `${word} 90 days from ${from.toISOString().slice(0, 10)}, drills in`, {
        query: parseQuery(word),
        from,
        to: new Date(from.getTime() + 90 * 86_400_000),
        drills: 'include',
      });
    }
  }
  for (let i = 0; i < 4; i++) {
    const service = pick(services);
    add('filters only', `service=${service} severity=${1 + (i % 4)}`, { query: null, services: [service], severities: [1 + (i % 4)] });
  }
  for (const q of ['zyxwvut', 'quasar flux', '"purple elephant"', 'kubernetes -kubernetes', 'xylophone*', 'nonexistentword']) {
    add('no hits', q, { query: parseQuery(q) });
  }
  return cases;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1)! };
};

async function measure(label: string, db: Database) {
  await migrate(db.sql);
  const seeding = performance.now();
  await seedDemo(db.sql, { seed: 1, incidents: INCIDENTS, now: NOW, passwordHash: 'bench-not-a-real-hash' });
  const seedMs = performance.now() - seeding;
  if (db.kind === 'postgres') await db.sql`analyze`;
  const [counts] = await db.sql<{ incidents: number; indexed: number; published: number; private: number }>`
    select (select count(*)::int from incidents) as incidents, (select count(*)::int from incident_search) as indexed,
      (select count(*)::int from incident_search where published_version is not null) as published,
      (select count(*)::int from incidents where private) as private`;
  const [admin] = await db.sql<{ id: string }>`select id from users where role = 'admin' order by created_at limit 1`;
  const [member] = await db.sql<{ id: string }>`select id from users where role = 'member' order by created_at limit 1`;
  const viewers: Viewer[] = [{ id: admin.id, isAdmin: true }, { id: (member ?? admin).id, isAdmin: false }];

  const cases = await queries(db.sql);
  const byShape = new Map<string, number[]>();
  const all: number[] = [];
  const cpu: number[] = [];
  let slowest = { ms: 0, label: '' };
  let hits = 0;
  for (const [i, c] of cases.entries()) {
    const viewer = viewers[i % 2];
    const filter: SearchFilter = { drills: 'exclude', limit: 20, offset: 0, ...c.filter };
    const first = await searchIncidents(db.sql, viewer, filter);
    if (first.total > 0) hits++;
    for (let r = 0; r < REPEAT; r++) {
      const cpuBefore = process.cpuUsage();
      const began = performance.now();
      await searchIncidents(db.sql, viewer, filter);
      const ms = performance.now() - began;
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      all.push(ms);
      if (!byShape.has(c.shape)) byShape.set(c.shape, []);
      byShape.get(c.shape)!.push(ms);
      if (ms > slowest.ms) slowest = { ms, label: `${c.shape}: ${c.label} (${first.total} matches)` };
    }
  }

  // The war-room panel: similar incidents for 20 incidents, uncached.
  const similar: number[] = [];
  for (let i = 0; i < 20; i++) {
    const incident = (await findIncidentByNumber(db.sql, 1 + Math.floor(random() * INCIDENTS)))!;
    const began = performance.now();
    await findSimilarIncidents(db.sql, viewers[i % 2], incident);
    similar.push(performance.now() - began);
  }
  // For PostgreSQL the work happens in the server process, not here: no CPU figure.
  return { label, seedMs, counts, queries: cases.length, hits, byShape, all: stats(all), cpu: db.kind === 'pglite' ? stats(cpu) : null, slowest, similar: stats(similar) };
}

async function throwawaySchema(url: string): Promise<Database> {
  const schema = `bench_search_${Date.now().toString(36)}`;
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
const dir = mkdtempSync(join(tmpdir(), 'warroom-bench-search-'));
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
const [load1] = loadavg();
console.log(`\nSearch over ${INCIDENTS} demo incidents, page of 20 with snippets, each query ${REPEAT}× after a warm-up (target: p95 < 100 ms); load average at the end ${load1.toFixed(1)} on ${availableParallelism()} cores\n`);
console.log('| backend | shape | runs | p50 ms | p95 ms | p99 ms | max ms |');
console.log('|---------|-------|-----:|-------:|-------:|-------:|-------:|');
for (const r of results) {
  for (const [shape, times] of r.byShape) {
    const s = stats(times);
    console.log(`| ${r.label} | ${shape} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} |`);
  }
  console.log(`| ${r.label} | **all ${r.queries} queries** | ${r.all.n} | ${fmt(r.all.p50)} | ${fmt(r.all.p95)} | ${fmt(r.all.p99)} | ${fmt(r.all.max)} |`);
  if (r.cpu) console.log(`| ${r.label} | all queries, CPU time (in-process) | ${r.cpu.n} | ${fmt(r.cpu.p50)} | ${fmt(r.cpu.p95)} | ${fmt(r.cpu.p99)} | ${fmt(r.cpu.max)} |`);
  console.log(`| ${r.label} | similar incidents (uncached) | ${r.similar.n} | ${fmt(r.similar.p50)} | ${fmt(r.similar.p95)} | ${fmt(r.similar.p99)} | ${fmt(r.similar.max)} |`);
}
console.log('');
for (const r of results) {
  console.log(
    `- ${r.label}: seeded in ${fmt(r.seedMs / 1000)} s (${r.counts.incidents} incidents, ${r.counts.indexed} indexed, ${r.counts.published} with a published postmortem, ${r.counts.private} private); ` +
      `${r.hits}/${r.queries} queries found something; slowest run ${fmt(r.slowest.ms)} ms — ${r.slowest.label}`,
  );
}

export {};
