/** SQL for drill runs, the injects released in them, the facilitator's observations and runbook opens. */
import { frag, join, type Fragment, type Sql } from '../db/sql.ts';
import type { PersonRef } from '../incidents/repo.ts';
import { visibleTo, type Viewer } from '../incidents/search.ts';
import type { Pause } from '../shared/drill-clock.ts';
import type { DrillRouting } from './drill-routing.ts';
import type { RunbookVerdict } from '../shared/practice-vocabulary.ts';

export { RUNBOOK_VERDICTS, type RunbookVerdict } from '../shared/practice-vocabulary.ts';

export interface DrillRun {
  id: string;
  scenarioId: string;
  scenarioVersion: number;
  scenarioTitle: string;
  incident: { id: string; number: number; docId: string; title: string; state: string; private: boolean };
  facilitator: PersonRef;
  startedAt: Date;
  pauses: Pause[];
  endedAt: Date | null;
  correctHypothesisId: string | null;
  runbookHelped: RunbookVerdict | null;
  runbookNote: string;
}

export interface Delivery {
  /** Alerts only: the stored alert and what routing decided. */
  alertId?: string;
  routing?: DrillRouting;
}

export interface Release {
  injectKey: string;
  releasedAt: Date;
  /** null: released by the schedule. */
  releasedBy: PersonRef | null;
  delivery: Delivery;
}

export interface Observation {
  id: string;
  at: Date;
  author: PersonRef;
  text: string;
}

interface RunRow {
  id: string;
  scenario_id: string;
  scenario_version: number;
  scenario_title: string;
  incident_id: string;
  incident_number: number;
  incident_doc_id: string;
  incident_title: string;
  incident_state: string;
  incident_private: boolean;
  facilitator_id: string;
  facilitator_name: string;
  started_at: Date;
  pauses: { from: string; to: string | null }[];
  ended_at: Date | null;
  correct_hypothesis_id: string | null;
  runbook_helped: RunbookVerdict | null;
  runbook_note: string;
}

const toRun = (r: RunRow): DrillRun => ({
  id: r.id,
  scenarioId: r.scenario_id,
  scenarioVersion: r.scenario_version,
  scenarioTitle: r.scenario_title,
  incident: { id: r.incident_id, number: r.incident_number, docId: r.incident_doc_id, title: r.incident_title, state: r.incident_state, private: r.incident_private },
  facilitator: { id: r.facilitator_id, displayName: r.facilitator_name },
  startedAt: r.started_at,
  pauses: r.pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : null })),
  endedAt: r.ended_at,
  correctHypothesisId: r.correct_hypothesis_id,
  runbookHelped: r.runbook_helped,
  runbookNote: r.runbook_note,
});

const SELECT_RUN = frag`
  select r.*, v.title as scenario_title, i.number as incident_number, i.doc_id as incident_doc_id, i.title as incident_title,
    i.state as incident_state, i.private as incident_private, f.display_name as facilitator_name
  from drill_runs r
    join drill_scenario_versions v on v.scenario_id = r.scenario_id and v.version = r.scenario_version
    join incidents i on i.id = r.incident_id
    join users f on f.id = r.facilitator_id`;

export async function insertRun(
  sql: Sql,
  input: { id: string; scenarioId: string; scenarioVersion: number; incidentId: string; facilitatorId: string; startedAt: Date },
): Promise<void> {
  await sql`
    insert into drill_runs (id, scenario_id, scenario_version, incident_id, facilitator_id, started_at)
    values (${input.id}, ${input.scenarioId}, ${input.scenarioVersion}, ${input.incidentId}, ${input.facilitatorId}, ${input.startedAt})`;
}

export async function findRun(sql: Sql, id: string, options: { lock?: boolean } = {}): Promise<DrillRun | null> {
  if (options.lock) await sql`select 1 from drill_runs where id = ${id} for update`;
  const [row] = await sql<RunRow>`${SELECT_RUN} where r.id = ${id}`;
  return row ? toRun(row) : null;
}

export async function findRunOfIncident(sql: Sql, incidentId: string): Promise<DrillRun | null> {
  const [row] = await sql<RunRow>`${SELECT_RUN} where r.incident_id = ${incidentId}`;
  return row ? toRun(row) : null;
}

/** Runs the viewer facilitates, or whose incident they may see; running first, then newest. */
export async function listRuns(sql: Sql, viewer: Viewer, limit = 100): Promise<DrillRun[]> {
  const rows = await sql<RunRow>`
    ${SELECT_RUN}
    where r.facilitator_id = ${viewer.id} or ${visibleTo(viewer)}
    order by (r.ended_at is null) desc, r.started_at desc, r.id limit ${limit}`;
  return rows.map(toRun);
}

/** Running drills whose clock is not paused: the scheduler's work list. */
export async function listTickingRuns(sql: Sql): Promise<DrillRun[]> {
  const rows = await sql<RunRow>`
    ${SELECT_RUN}
    where r.ended_at is null and not exists (select 1 from jsonb_array_elements(r.pauses) p where p->>'to' is null)
    order by r.started_at`;
  return rows.map(toRun);
}

export interface RunChanges {
  pauses?: Pause[];
  endedAt?: Date;
  correctHypothesisId?: string | null;
  runbookHelped?: RunbookVerdict | null;
  runbookNote?: string;
}

export async function updateRun(sql: Sql, id: string, changes: RunChanges): Promise<void> {
  const sets: Fragment[] = [];
  if (changes.pauses) sets.push(frag`pauses = ${changes.pauses.map((p) => ({ from: p.from.toISOString(), to: p.to?.toISOString() ?? null }))}::jsonb`);
  if (changes.endedAt) sets.push(frag`ended_at = ${changes.endedAt}`);
  if (changes.correctHypothesisId !== undefined) sets.push(frag`correct_hypothesis_id = ${changes.correctHypothesisId}`);
  if (changes.runbookHelped !== undefined) sets.push(frag`runbook_helped = ${changes.runbookHelped}`);
  if (changes.runbookNote !== undefined) sets.push(frag`runbook_note = ${changes.runbookNote}`);
  if (sets.length === 0) return;
  await sql`update drill_runs set ${join(sets, ', ')} where id = ${id}`;
}

/** Records the release; false when the inject was already released (a double click, the schedule racing a person). */
export async function insertRelease(sql: Sql, input: { runId: string; injectKey: string; at: Date; byId: string | null }): Promise<boolean> {
  const rows = await sql`
    insert into drill_releases (run_id, inject_key, released_at, released_by) values (${input.runId}, ${input.injectKey}, ${input.at}, ${input.byId})
    on conflict (run_id, inject_key) do nothing returning inject_key`;
  return rows.length > 0;
}

export async function setDelivery(sql: Sql, runId: string, injectKey: string, delivery: Delivery): Promise<void> {
  await sql`update drill_releases set delivery = ${delivery}::jsonb where run_id = ${runId} and inject_key = ${injectKey}`;
}

export async function listReleases(sql: Sql, runId: string): Promise<Release[]> {
  const rows = await sql<{ inject_key: string; released_at: Date; released_by: string | null; by_name: string | null; delivery: Delivery }>`
    select d.inject_key, d.released_at, d.released_by, u.display_name as by_name, d.delivery
    from drill_releases d left join users u on u.id = d.released_by
    where d.run_id = ${runId} order by d.released_at, d.inject_key`;
  return rows.map((r) => ({
    injectKey: r.inject_key,
    releasedAt: r.released_at,
    releasedBy: r.released_by ? { id: r.released_by, displayName: r.by_name ?? 'Unknown' } : null,
    delivery: r.delivery,
  }));
}

export async function insertObservation(sql: Sql, input: { id: string; runId: string; authorId: string; text: string; at: Date }): Promise<void> {
  await sql`insert into drill_observations (id, run_id, author_id, at, text) values (${input.id}, ${input.runId}, ${input.authorId}, ${input.at}, ${input.text})`;
}

export async function listObservations(sql: Sql, runId: string): Promise<Observation[]> {
  const rows = await sql<{ id: string; at: Date; author_id: string; author_name: string; text: string }>`
    select o.id, o.at, o.author_id, u.display_name as author_name, o.text
    from drill_observations o join users u on u.id = o.author_id where o.run_id = ${runId} order by o.at, o.id`;
  return rows.map((r) => ({ id: r.id, at: r.at, author: { id: r.author_id, displayName: r.author_name }, text: r.text }));
}

/**
 * A responder (not the facilitator) of a running drill opened a runbook:
 * remembered once per person, for the debrief's "was the runbook found?".
 */
export async function noteRunbookOpened(sql: Sql, userId: string, runbookId: string, at = new Date()): Promise<void> {
  await sql`
    insert into drill_runbook_opens (run_id, runbook_id, user_id, at)
    select r.id, ${runbookId}, ${userId}, ${at} from drill_runs r
    where r.ended_at is null and r.facilitator_id <> ${userId}
      and exists (select 1 from incident_participants p where p.incident_id = r.incident_id and p.user_id = ${userId} and p.kind = 'responder')
    on conflict (run_id, runbook_id, user_id) do nothing`;
}

export interface RunbookOpen {
  runbookId: string;
  slug: string;
  title: string;
  user: PersonRef;
  at: Date;
}

export async function listRunbookOpens(sql: Sql, runId: string): Promise<RunbookOpen[]> {
  const rows = await sql<{ runbook_id: string; slug: string; title: string; user_id: string; user_name: string; at: Date }>`
    select o.runbook_id, b.slug, b.title, o.user_id, u.display_name as user_name, o.at
    from drill_runbook_opens o join runbooks b on b.id = o.runbook_id join users u on u.id = o.user_id
    where o.run_id = ${runId} order by o.at`;
  return rows.map((r) => ({ runbookId: r.runbook_id, slug: r.slug, title: r.title, user: { id: r.user_id, displayName: r.user_name }, at: r.at }));
}
