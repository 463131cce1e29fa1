/**
 * `seedDemo`: a realistic, deterministic year of incidents for demos,
 * screenshots and the search benchmark. Content depends only on the seed and
 * `now`; ids also mix in where numbering starts, so seeding again with
 * --force adds a second year instead of colliding with the first.
 */
import { hashPassword } from '../auth/password.ts';
import { Fragment, type Sql } from '../db/sql.ts';
import { DEMO_PASSWORD } from './catalog.ts';
import { generateIncidents } from './incidents.ts';
import { generatePeople, type DemoPerson } from './people.ts';
import { generatePostmortems } from './postmortems.ts';
import { createRandom } from './random.ts';
import { emptyRows } from './rows.ts';
import { generateRunbooks } from './runbooks.ts';
import { writeRows } from './write.ts';

export interface SeedOptions {
  seed?: number;
  incidents?: number;
  now?: Date;
  /** Reuse this hash instead of hashing the demo password (argon2 is slow on purpose; tests seed often). */
  passwordHash?: string;
}

export interface SeedSummary {
  seed: number;
  users: number;
  incidents: number;
  postmortems: number;
  actionItems: number;
  runbooks: number;
  firstNumber: number;
  lastNumber: number;
  password: string;
  adminEmail: string;
  ms: number;
}

export async function seedDemo(sql: Sql, options: SeedOptions = {}): Promise<SeedSummary> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const count = options.incidents ?? 600;
  const now = (options.now ?? new Date()).getTime();
  const passwordHash = options.passwordHash ?? (await hashPassword(DEMO_PASSWORD));

  return sql.begin(async (tx) => {
    const [{ max }] = await tx<{ max: number }>`select coalesce(max(number), 0)::int as max from incidents`;
    const firstNumber = max + 1;
    const r = createRandom(seed);
    const ids = createRandom((seed * 2654435761 + firstNumber) >>> 0);
    const rows = emptyRows();

    const generated = generatePeople(ids, passwordHash, now);
    rows.users = generated.rows;
    // Re-seeding with --force finds the demo people already there: keep them, use their ids.
    await writeUsers(tx, rows.users);
    const existing = await tx<{ id: string; email: string }>`select id, lower(email) as email from users where lower(email) = any(${generated.people.map((p) => p.email)}::text[])`;
    const byEmail = new Map(existing.map((u) => [u.email, u.id]));
    const people: DemoPerson[] = generated.people.map((p) => ({ ...p, id: byEmail.get(p.email) ?? p.id }));

    const incidents = generateIncidents(r, ids, people, count, firstNumber, now, rows);
    const postmortems = generatePostmortems(r, ids, incidents, people, now, rows);
    const runbooks = generateRunbooks(r, ids, incidents, people, now, rows);
    // A second demo year (--force) keeps slugs unique: the older runbook keeps the plain one.
    const taken = new Set((await tx<{ slug: string }>`select slug from runbooks`).map((row) => row.slug));
    for (const runbook of rows.runbooks) if (taken.has(runbook.slug as string)) runbook.slug = `${runbook.slug}-${firstNumber}`;
    await withoutSearchTriggers(tx, () => writeAll(tx, rows));
    // The search index (migration 011) is refreshed once per incident instead of once per inserted child row.
    if (await hasFunction(tx, 'incident_search_refresh')) {
      await tx`select incident_search_refresh(id) from incidents where number >= ${firstNumber}`;
    }
    // Numbers were given explicitly; move the sequence past them so the next declared incident continues.
    if (count > 0) await tx`select setval('incident_number_seq', ${firstNumber + count - 1})`;
    return {
      seed,
      users: people.length,
      incidents: count,
      postmortems,
      actionItems: rows.actionItems.length,
      runbooks,
      firstNumber,
      lastNumber: firstNumber + count - 1,
      password: DEMO_PASSWORD,
      adminEmail: people[0].email,
      ms: Date.now() - started,
    };
  });
}

async function writeUsers(sql: Sql, users: Record<string, unknown>[]): Promise<void> {
  await sql`
    insert into users (id, email, display_name, password_hash, role, created_at)
    select id, email, display_name, password_hash, role, created_at
    from jsonb_to_recordset(${users}::jsonb) as x(id text, email text, display_name text, password_hash text, role text, created_at timestamptz)
    on conflict do nothing`;
}

async function writeAll(sql: Sql, rows: ReturnType<typeof emptyRows>): Promise<void> {
  await writeRows(sql, 'documents', [['id', 'text'], ['kind', 'text'], ['created_at', 'timestamptz']], rows.documents);
  await writeRows(sql, 'incidents', [
    ['id', 'text'], ['number', 'int'], ['title', 'text'], ['severity', 'int'], ['state', 'text'], ['summary', 'text'], ['services', 'text[]'],
    ['private', 'boolean'], ['drill', 'boolean'], ['declared_by', 'text'], ['commander_id', 'text'], ['scribe_id', 'text'], ['communicator_id', 'text'],
    ['started_at', 'timestamptz'], ['detected_at', 'timestamptz'], ['declared_at', 'timestamptz'], ['acknowledged_at', 'timestamptz'],
    ['mitigated_at', 'timestamptz'], ['resolved_at', 'timestamptz'], ['closed_at', 'timestamptz'], ['doc_id', 'text'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
  ], rows.incidents);
  await writeRows(sql, 'incident_participants', [['incident_id', 'text'], ['user_id', 'text'], ['kind', 'text'], ['joined_at', 'timestamptz'], ['added_by', 'text']], rows.participants);
  await writeRows(sql, 'incident_events', [['incident_id', 'text'], ['actor_id', 'text'], ['kind', 'text'], ['data', 'jsonb'], ['at', 'timestamptz']], rows.events);
  await writeRows(sql, 'postmortems', [
    ['incident_id', 'text'], ['doc_id', 'text'], ['state', 'text'], ['review_due_at', 'timestamptz'], ['generated_at', 'timestamptz'],
    ['submitted_at', 'timestamptz'], ['submitted_by', 'text'], ['published_at', 'timestamptz'], ['published_by', 'text'], ['version', 'int'], ['updated_at', 'timestamptz'],
  ], rows.postmortems);
  await writeRows(sql, 'postmortem_version_rows', [
    ['incident_id', 'text'], ['version', 'int'], ['snapshot', 'jsonb'], ['markdown', 'text'], ['published_at', 'timestamptz'], ['published_by', 'text'], ['published_by_name', 'text'],
  ], rows.postmortemVersions);
  await writeRows(sql, 'action_items', [
    ['id', 'text'], ['incident_id', 'text'], ['source_key', 'text'], ['title', 'text'], ['owner_id', 'text'], ['due_date', 'date'], ['kind', 'text'],
    ['priority', 'text'], ['problem_category', 'text'], ['status', 'text'], ['done_at', 'timestamptz'], ['done_by', 'text'], ['done_note', 'text'],
    ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
  ], rows.actionItems);
  await writeRows(sql, 'runbooks', [
    ['id', 'text'], ['slug', 'text'], ['title', 'text'], ['services', 'text[]'], ['failure_mode', 'text'], ['owner_id', 'text'], ['body', 'text'],
    ['version', 'int'], ['created_by', 'text'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
  ], rows.runbooks);
  await writeRows(sql, 'runbook_versions', [
    ['runbook_id', 'text'], ['version', 'int'], ['title', 'text'], ['body', 'text'], ['author_id', 'text'], ['author_name', 'text'], ['note', 'text'], ['at', 'timestamptz'],
  ], rows.runbookVersions);
  await writeRows(sql, 'runbook_uses', [['runbook_id', 'text'], ['incident_id', 'text'], ['kind', 'text'], ['by_id', 'text'], ['at', 'timestamptz']], rows.runbookUses);
}

const TRIGGERED_TABLES = ['incidents', 'postmortem_version_rows', 'action_items'] as const;

async function hasFunction(sql: Sql, name: string): Promise<boolean> {
  const [row] = await sql<{ found: boolean }>`select to_regproc(${name}) is not null as found`;
  return row.found;
}

/**
 * Per-row triggers would refresh an incident's search document once for it
 * and again for every postmortem version and action item: most of the seeding
 * time. Disabled inside this transaction only (ALTER TABLE is transactional).
 */
async function withoutSearchTriggers(sql: Sql, fn: () => Promise<void>): Promise<void> {
  if (!(await hasFunction(sql, 'incident_search_refresh'))) return fn();
  for (const table of TRIGGERED_TABLES) await sql`alter table ${new Fragment([table], [])} disable trigger user`;
  await fn();
  for (const table of TRIGGERED_TABLES) await sql`alter table ${new Fragment([table], [])} enable trigger user`;
}
