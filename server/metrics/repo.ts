/**
 * Loads the plain rows the metric definitions and the pattern review compute
 * over, in a handful of queries per request.
 *
 * Visibility: metrics count only incidents the viewer may see (the same
 * `visibleTo` filter as the incident list), so admins see the organisation's
 * figures and members see them without other people's private incidents. A
 * count alone would leak little, but the CSV export and the pattern review
 * name incidents, and one rule for every figure keeps the chart and its CSV
 * adding up to the same numbers.
 */
import { frag, join, type Fragment, type Sql } from '../db/sql.ts';
import { hypothesisTimes } from '../hypotheses/times.ts';
import { visibleTo, type Viewer } from '../incidents/search.ts';
import type { ContributingFactor } from '../shared/postmortem-doc.ts';
import { RECURRENCE_WINDOW_DAYS, type ActionItemFacts, type IncidentFacts, type PublishedPostmortem } from './definitions.ts';

export interface MetricsFilter {
  severities?: readonly number[];
  service?: string;
}

export interface IncidentRecord extends IncidentFacts {
  private: boolean;
}

interface IncidentFactsRow {
  id: string;
  number: number;
  title: string;
  severity: number;
  services: string[];
  drill: boolean;
  private: boolean;
  started_at: Date;
  detected_at: Date | null;
  declared_at: Date;
  acknowledged_at: Date | null;
  mitigated_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  reopen_count: number;
  postmortem_published_at: Date | null;
  postmortem_categories: string[] | null;
}

const toFacts = (r: IncidentFactsRow): IncidentRecord => ({
  id: r.id,
  number: r.number,
  title: r.title,
  severity: r.severity,
  services: r.services,
  drill: r.drill,
  private: r.private,
  startedAt: r.started_at,
  detectedAt: r.detected_at,
  declaredAt: r.declared_at,
  acknowledgedAt: r.acknowledged_at,
  mitigatedAt: r.mitigated_at,
  resolvedAt: r.resolved_at,
  closedAt: r.closed_at,
  reopenCount: r.reopen_count,
  postmortemPublishedAt: r.postmortem_published_at,
  postmortemCategories: r.postmortem_categories ?? [],
  hypothesisWrittenAt: null,
});

function incidentConditions(viewer: Viewer, filter: MetricsFilter): Fragment[] {
  // Drills are dropped here as well as in the definitions: they never reach a chart or a CSV row.
  const conditions = [visibleTo(viewer), frag`not i.drill`];
  if (filter.severities?.length) conditions.push(frag`i.severity = any(${filter.severities}::int[])`);
  if (filter.service) conditions.push(frag`i.services @> ${[filter.service]}::text[]`);
  return conditions;
}

/** The distinct contributing-factor categories of one published version's snapshot, as text[] (empty when none). */
const categoriesOf = (incidentId: Fragment, version: Fragment) => frag`coalesce((
  select array_agg(distinct f->>'category' order by f->>'category') from postmortem_versions cv
    cross join lateral jsonb_array_elements(case when jsonb_typeof(cv.snapshot->'factors') = 'array' then cv.snapshot->'factors' else '[]'::jsonb end) f
  where cv.incident_id = ${incidentId} and cv.version = ${version} and f->>'category' is not null), '{}'::text[])`;

/** Non-drill incidents the viewer may see that started in [from, to), oldest first. */
export async function loadIncidentFacts(sql: Sql, viewer: Viewer, range: { from: Date; to: Date }, filter: MetricsFilter): Promise<IncidentRecord[]> {
  const where = join([...incidentConditions(viewer, filter), frag`i.started_at >= ${range.from}`, frag`i.started_at < ${range.to}`], ' and ');
  // Reopenings and first publications aggregated once and joined, rather than a subquery per incident.
  const rows = await sql<IncidentFactsRow>`
    with chosen as (select i.* from incidents i where ${where}),
    reopens as (
      select e.incident_id, count(*)::int as n from incident_events e
      where e.kind = 'state' and e.incident_id in (select id from chosen)
        and e.data->>'from' in ('resolved', 'closed') and e.data->>'to' not in ('resolved', 'closed')
      group by e.incident_id),
    published as (
      select v.incident_id, min(v.published_at) as at, max(v.version) as version from postmortem_versions v
      where v.incident_id in (select id from chosen) group by v.incident_id)
    select c.id, c.number, c.title, c.severity, c.services, c.drill, c.private, c.started_at, c.detected_at, c.declared_at,
      c.acknowledged_at, c.mitigated_at, c.resolved_at, c.closed_at, coalesce(r.n, 0) as reopen_count, p.at as postmortem_published_at,
      ${categoriesOf(frag`p.incident_id`, frag`p.version`)} as postmortem_categories
    from chosen c left join reopens r on r.incident_id = c.id left join published p on p.incident_id = c.id
    order by c.started_at, c.number`;
  const facts = rows.map(toFacts);
  // Only resolved incidents have a time from hypothesis to resolution; the rest need no board read.
  const times = await hypothesisTimes(sql, facts.filter((f) => f.resolvedAt).map((f) => f.id));
  return facts.map((f) => ({ ...f, hypothesisWrittenAt: times.get(f.id)?.firstWrittenAt ?? null }));
}

/**
 * Postmortems first published from 90 days before `from` until `to`, with the
 * factor categories of their latest published version, of visible non-drill
 * incidents of any severity or service: a SEV3 on a service whose SEV1 was
 * written up last month with the same category of cause is still a recurrence.
 */
export async function loadPublishedPostmortems(sql: Sql, viewer: Viewer, range: { from: Date; to: Date }): Promise<PublishedPostmortem[]> {
  const since = new Date(range.from.getTime() - RECURRENCE_WINDOW_DAYS * 86_400_000);
  const rows = await sql<{ incident_id: string; services: string[]; categories: string[]; published_at: Date }>`
    select i.id as incident_id, i.services, p.published_at, ${categoriesOf(frag`p.incident_id`, frag`p.version`)} as categories
    from incidents i
      join (select incident_id, min(published_at) as published_at, max(version) as version from postmortem_versions group by incident_id) p
        on p.incident_id = i.id
    where ${visibleTo(viewer)} and not i.drill and p.published_at >= ${since} and p.published_at < ${range.to}`;
  return rows.map((r) => ({ incidentId: r.incident_id, services: r.services, categories: r.categories, drill: false, publishedAt: r.published_at }));
}

interface ActionItemFactsRow {
  id: string;
  incident_id: string;
  kind: ActionItemFacts['kind'];
  status: ActionItemFacts['status'];
  created_at: Date;
  due_date: string | null;
  done_at: Date | null;
}

/** Action items of matching incidents that were created, done or due in [from, to). */
export async function loadActionItemFacts(sql: Sql, viewer: Viewer, range: { from: Date; to: Date }, filter: MetricsFilter): Promise<ActionItemFacts[]> {
  const touched = frag`(
    (a.created_at >= ${range.from} and a.created_at < ${range.to})
    or (a.done_at >= ${range.from} and a.done_at < ${range.to})
    or (a.due_date >= ${range.from}::date - 1 and a.due_date <= ${range.to}::date))`;
  const rows = await sql<ActionItemFactsRow>`
    select a.id, a.incident_id, a.kind, a.status, a.created_at, to_char(a.due_date, 'YYYY-MM-DD') as due_date, a.done_at
    from action_items a join incidents i on i.id = a.incident_id
    where ${join([...incidentConditions(viewer, filter), touched], ' and ')}`;
  return rows.map((r) => ({
    id: r.id,
    incidentId: r.incident_id,
    drill: false,
    kind: r.kind,
    status: r.status,
    createdAt: r.created_at,
    dueDate: r.due_date,
    doneAt: r.done_at,
  }));
}

// --- the pattern review ----------------------------------------------------------

export interface ReviewedPostmortem {
  incidentId: string;
  firstPublishedAt: Date;
  factors: Pick<ContributingFactor, 'category' | 'description'>[];
  /** The latest published version's Detection section. */
  detection: string;
}

/** The latest published snapshot of each incident's postmortem: its factors and detection section. */
export async function loadPublishedSnapshots(sql: Sql, incidentIds: readonly string[]): Promise<ReviewedPostmortem[]> {
  if (incidentIds.length === 0) return [];
  const rows = await sql<{ incident_id: string; snapshot: { factors?: ContributingFactor[]; sections?: { detection?: string } }; first_published_at: Date }>`
    select distinct on (v.incident_id) v.incident_id, v.snapshot,
      (select min(f.published_at) from postmortem_versions f where f.incident_id = v.incident_id) as first_published_at
    from postmortem_versions v
    where v.incident_id = any(${incidentIds}::text[])
    order by v.incident_id, v.version desc`;
  return rows.map((r) => ({
    incidentId: r.incident_id,
    firstPublishedAt: r.first_published_at,
    factors: (r.snapshot.factors ?? []).map((f) => ({ category: f.category, description: String(f.description ?? '') })),
    detection: String(r.snapshot.sections?.detection ?? ''),
  }));
}

export interface StructuralItemRecord {
  id: string;
  incidentId: string;
  title: string;
  problemCategory: string;
  status: ActionItemFacts['status'];
  dueDate: string | null;
  doneAt: Date | null;
  owner: string | null;
}

/** Structural action items of the given incidents. */
export async function loadStructuralItems(sql: Sql, incidentIds: readonly string[]): Promise<StructuralItemRecord[]> {
  if (incidentIds.length === 0) return [];
  const rows = await sql<{ id: string; incident_id: string; title: string; problem_category: string; status: ActionItemFacts['status']; due_date: string | null; done_at: Date | null; owner: string | null }>`
    select a.id, a.incident_id, a.title, a.problem_category, a.status, to_char(a.due_date, 'YYYY-MM-DD') as due_date, a.done_at,
      o.display_name as owner
    from action_items a left join users o on o.id = a.owner_id
    where a.kind = 'structural' and a.incident_id = any(${incidentIds}::text[])
    order by a.due_date nulls last, a.created_at, a.id`;
  return rows.map((r) => ({
    id: r.id,
    incidentId: r.incident_id,
    title: r.title,
    problemCategory: r.problem_category,
    status: r.status,
    dueDate: r.due_date,
    doneAt: r.done_at,
    owner: r.owner,
  }));
}
