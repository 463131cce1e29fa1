/**
 * SQL for scenarios and their versions. Who may read a scenario's text is
 * decided here in one fragment: everyone but the responders of a drill of it
 * that is still running (they would read the answer).
 */
import { frag, type Fragment, type Sql } from '../db/sql.ts';
import type { PersonRef } from '../incidents/repo.ts';
import type { Viewer } from '../incidents/search.ts';

export interface ScenarioRecord {
  id: string;
  slug: string;
  builtin: string | null;
  title: string;
  body: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Drills started from it. */
  runs: number;
  lastRunAt: Date | null;
  /** The viewer is a responder in a running drill of it: its text (the answer) is not for them now. */
  hidden: boolean;
}

export interface ScenarioVersion {
  version: number;
  title: string;
  body: string;
  author: PersonRef | null;
  at: Date;
  note: string;
}

interface ScenarioRow {
  id: string;
  slug: string;
  builtin: string | null;
  title: string;
  body: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  runs: number;
  last_run_at: Date | null;
  hidden: boolean;
}

const toScenario = (r: ScenarioRow): ScenarioRecord => ({
  id: r.id,
  slug: r.slug,
  builtin: r.builtin,
  title: r.title,
  body: r.body,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  runs: r.runs,
  lastRunAt: r.last_run_at,
  hidden: r.hidden,
});

/** True when the viewer plays (is not the facilitator of) a running drill of scenario `s`. */
export function playingScenario(viewer: Viewer, scenarioId: Fragment): Fragment {
  return frag`exists (
    select 1 from drill_runs r join incident_participants p on p.incident_id = r.incident_id
    where r.scenario_id = ${scenarioId} and r.ended_at is null and p.user_id = ${viewer.id} and r.facilitator_id <> ${viewer.id})`;
}

const select = (viewer: Viewer) => frag`
  select s.*, (select count(*)::int from drill_runs r where r.scenario_id = s.id) as runs,
    (select max(r.started_at) from drill_runs r where r.scenario_id = s.id) as last_run_at,
    ${playingScenario(viewer, frag`s.id`)} as hidden
  from drill_scenarios s`;

export async function listScenarios(sql: Sql, viewer: Viewer): Promise<ScenarioRecord[]> {
  const rows = await sql<ScenarioRow>`${select(viewer)} order by lower(s.title), s.id`;
  return rows.map(toScenario);
}

/** By id or slug. */
export async function findScenario(sql: Sql, viewer: Viewer, idOrSlug: string): Promise<ScenarioRecord | null> {
  const [row] = await sql<ScenarioRow>`${select(viewer)} where s.id = ${idOrSlug} or s.slug = ${idOrSlug} limit 1`;
  return row ? toScenario(row) : null;
}

export async function lockScenario(sql: Sql, id: string): Promise<{ id: string; version: number } | null> {
  const [row] = await sql<{ id: string; version: number }>`select id, version from drill_scenarios where id = ${id} for update`;
  return row ?? null;
}

export async function scenarioSlugTaken(sql: Sql, slug: string): Promise<boolean> {
  return (await sql`select 1 from drill_scenarios where slug = ${slug}`).length > 0;
}

export async function insertScenario(
  sql: Sql,
  input: { id: string; slug: string; builtin: string | null; title: string; body: string; createdBy: string | null; at: Date },
): Promise<void> {
  await sql`
    insert into drill_scenarios (id, slug, builtin, title, body, version, created_by, created_at, updated_at)
    values (${input.id}, ${input.slug}, ${input.builtin}, ${input.title}, ${input.body}, 1, ${input.createdBy}, ${input.at}, ${input.at})`;
}

export async function updateScenarioRow(sql: Sql, id: string, version: number, input: { title: string; body: string; at: Date }): Promise<void> {
  await sql`update drill_scenarios set title = ${input.title}, body = ${input.body}, version = ${version}, updated_at = ${input.at} where id = ${id}`;
}

export async function insertScenarioVersion(
  sql: Sql,
  input: { scenarioId: string; version: number; title: string; body: string; author: { id: string; displayName: string } | null; note: string; at: Date },
): Promise<void> {
  await sql`
    insert into drill_scenario_versions (scenario_id, version, title, body, author_id, author_name, note, at)
    values (${input.scenarioId}, ${input.version}, ${input.title}, ${input.body}, ${input.author?.id ?? null}, ${input.author?.displayName ?? 'Warroom'}, ${input.note}, ${input.at})`;
}

interface VersionRow {
  version: number;
  title: string;
  body: string;
  author_id: string | null;
  author_name: string;
  note: string;
  at: Date;
}

const toVersion = (r: VersionRow): ScenarioVersion => ({
  version: r.version,
  title: r.title,
  body: r.body,
  author: r.author_id ? { id: r.author_id, displayName: r.author_name } : null,
  at: r.at,
  note: r.note,
});

/** Newest first. */
export async function listScenarioVersions(sql: Sql, scenarioId: string): Promise<ScenarioVersion[]> {
  const rows = await sql<VersionRow>`select * from drill_scenario_versions where scenario_id = ${scenarioId} order by version desc`;
  return rows.map(toVersion);
}

export async function findScenarioVersion(sql: Sql, scenarioId: string, version: number): Promise<ScenarioVersion | null> {
  const [row] = await sql<VersionRow>`select * from drill_scenario_versions where scenario_id = ${scenarioId} and version = ${version}`;
  return row ? toVersion(row) : null;
}

/** Which shipped files are already seeded. */
export async function seededBuiltins(sql: Sql): Promise<Set<string>> {
  const rows = await sql<{ builtin: string }>`select builtin from drill_scenarios where builtin is not null`;
  return new Set(rows.map((r) => r.builtin));
}
