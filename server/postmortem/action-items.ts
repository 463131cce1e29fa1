/**
 * Action items as database rows: created (or updated) when a postmortem is
 * published, then tracked to done by their owners whatever happens to the
 * draft. Lists are limited in SQL to incidents the viewer may see.
 */
import { generateSecureRandomString } from '../auth/tokens.ts';
import { frag, join, type Fragment, type Sql } from '../db/sql.ts';
import { visibleTo, type Viewer } from '../incidents/search.ts';
import type { Severity } from '../shared/severity.ts';
import { ACTION_ORIGINS, type ActionItemDraft, type ActionKind, type ActionOrigin, type ActionPriority, type ActionStatus } from '../shared/postmortem-doc.ts';

export { ACTION_ORIGINS, type ActionOrigin };

export interface ActionItem {
  id: string;
  origin: { kind: ActionOrigin; id: string | null };
  incident: { id: string; number: number; title: string; severity: Severity; services: string[] };
  title: string;
  owner: { id: string; displayName: string } | null;
  /** YYYY-MM-DD */
  dueDate: string | null;
  kind: ActionKind;
  priority: ActionPriority;
  status: ActionStatus;
  problemCategory: string;
  overdue: boolean;
  doneAt: Date | null;
  doneBy: { id: string; displayName: string } | null;
  doneNote: string;
  createdAt: Date;
  /** The postmortem's first publication. */
  publishedAt: Date | null;
}

interface ActionItemRow {
  id: string;
  origin: ActionOrigin;
  origin_id: string | null;
  incident_id: string;
  incident_number: number;
  incident_title: string;
  incident_severity: Severity;
  incident_services: string[];
  title: string;
  owner_id: string | null;
  owner_name: string | null;
  due_date: string | null;
  kind: ActionKind;
  priority: ActionPriority;
  status: ActionStatus;
  problem_category: string;
  overdue: boolean;
  done_at: Date | null;
  done_by: string | null;
  done_by_name: string | null;
  done_note: string;
  created_at: Date;
  published_at: Date | null;
}

const toActionItem = (row: ActionItemRow): ActionItem => ({
  id: row.id,
  origin: { kind: row.origin, id: row.origin_id },
  incident: { id: row.incident_id, number: row.incident_number, title: row.incident_title, severity: row.incident_severity, services: row.incident_services },
  title: row.title,
  owner: row.owner_id ? { id: row.owner_id, displayName: row.owner_name ?? 'Unknown' } : null,
  dueDate: row.due_date,
  kind: row.kind,
  priority: row.priority,
  status: row.status,
  problemCategory: row.problem_category,
  overdue: row.overdue,
  doneAt: row.done_at,
  doneBy: row.done_by ? { id: row.done_by, displayName: row.done_by_name ?? 'Unknown' } : null,
  doneNote: row.done_note,
  createdAt: row.created_at,
  publishedAt: row.published_at,
});

// "Today" is the UTC date, like the due dates people type (YYYY-MM-DD, no zone).
const TODAY = frag`(now() at time zone 'utc')::date`;
const OPEN = frag`a.status not in ('done', 'wont_do')`;
const OVERDUE = frag`(a.due_date < ${TODAY} and ${OPEN})`;
// Structural fixes are the slow ones that quietly stall: flag those still open a month after publication.
const CHECK_30 = frag`(a.kind = 'structural' and ${OPEN} and a.created_at <= now() - interval '30 days')`;

const SELECT_ITEM = frag`
  select a.id, a.origin, a.origin_id, a.incident_id, i.number as incident_number, i.title as incident_title, i.severity as incident_severity,
    i.services as incident_services, a.title, a.owner_id, o.display_name as owner_name,
    to_char(a.due_date, 'YYYY-MM-DD') as due_date, a.kind, a.priority, a.status, a.problem_category,
    ${OVERDUE} as overdue, a.done_at, a.done_by, d.display_name as done_by_name, a.done_note, a.created_at,
    (select min(v.published_at) from postmortem_versions v where v.incident_id = a.incident_id) as published_at
  from action_items a
    join incidents i on i.id = a.incident_id
    left join users o on o.id = a.owner_id
    left join users d on d.id = a.done_by`;

export interface ActionItemFilter {
  ownerId?: string;
  service?: string;
  kind?: ActionKind;
  status?: ActionStatus;
  overdue?: boolean;
  check30?: boolean;
  incidentNumber?: number;
  origin?: { kind: ActionOrigin; id?: string };
}

export async function listActionItems(sql: Sql, viewer: Viewer, filter: ActionItemFilter): Promise<ActionItem[]> {
  const conditions: Fragment[] = [visibleTo(viewer)];
  if (filter.ownerId) conditions.push(frag`a.owner_id = ${filter.ownerId}`);
  if (filter.service) conditions.push(frag`i.services @> ${[filter.service]}::text[]`);
  if (filter.kind) conditions.push(frag`a.kind = ${filter.kind}`);
  if (filter.status) conditions.push(frag`a.status = ${filter.status}`);
  if (filter.overdue) conditions.push(OVERDUE);
  if (filter.check30) conditions.push(CHECK_30);
  if (filter.incidentNumber !== undefined) conditions.push(frag`i.number = ${filter.incidentNumber}`);
  if (filter.origin) conditions.push(frag`a.origin = ${filter.origin.kind}`);
  if (filter.origin?.id) conditions.push(frag`a.origin_id = ${filter.origin.id}`);
  const rows = await sql<ActionItemRow>`
    ${SELECT_ITEM}
    where ${join(conditions, ' and ')}
    order by (a.status in ('done', 'wont_do')), a.due_date nulls last, a.priority, i.number desc, a.created_at, a.id
    limit 1000`;
  return rows.map(toActionItem);
}

/** One item with its incident's id; the caller checks who is asking. */
export async function findActionItem(sql: Sql, id: string, options: { lock?: boolean } = {}): Promise<ActionItem | null> {
  if (options.lock) await sql`select 1 from action_items where id = ${id} for update`;
  const [row] = await sql<ActionItemRow>`${SELECT_ITEM} where a.id = ${id}`;
  return row ? toActionItem(row) : null;
}

export async function countActionItems(sql: Sql, incidentId: string): Promise<{ total: number; done: number; overdue: number }> {
  const [row] = await sql<{ total: number; done: number; overdue: number }>`
    select count(*)::int as total,
      count(*) filter (where a.status = 'done')::int as done,
      count(*) filter (where ${OVERDUE})::int as overdue
    from action_items a where a.incident_id = ${incidentId}`;
  return row;
}

/**
 * Creates the published document's items, or updates the rows of items
 * published before (matched by their id in the document). The status is set
 * only on creation: publishing again must not reset work already under way.
 * Returns how many rows were created.
 */
export async function upsertActionItems(sql: Sql, incidentId: string, items: readonly ActionItemDraft[]): Promise<number> {
  let created = 0;
  for (const item of items) {
    const rows = await sql<{ inserted: boolean }>`
      insert into action_items (id, incident_id, source_key, title, owner_id, due_date, kind, priority, problem_category, status)
      values (${generateSecureRandomString()}, ${incidentId}, ${item.id}, ${item.title.trim()}, ${item.owner?.id ?? null},
              ${item.dueDate}::date, ${item.kind}, ${item.priority}, ${item.problemCategory ?? ''}, ${item.status ?? 'open'})
      on conflict (incident_id, source_key) do update set
        title = excluded.title, owner_id = excluded.owner_id, due_date = excluded.due_date, kind = excluded.kind,
        priority = excluded.priority, problem_category = excluded.problem_category, updated_at = now()
      returning (xmax = 0) as inserted`;
    if (rows[0]?.inserted) created++;
  }
  return created;
}

export interface ActionItemChanges {
  status?: ActionStatus;
  note?: string;
  dueDate?: string | null;
  ownerId?: string | null;
}

/** Applies a change; marking done records who and when, leaving done clears them. */
export async function updateActionItem(sql: Sql, id: string, actorId: string, changes: ActionItemChanges): Promise<void> {
  const sets: Fragment[] = [];
  if (changes.status !== undefined) {
    sets.push(frag`status = ${changes.status}`);
    if (changes.status === 'done') sets.push(frag`done_at = coalesce(done_at, now()), done_by = coalesce(done_by, ${actorId})`);
    else sets.push(frag`done_at = null, done_by = null`);
  }
  if (changes.note !== undefined) sets.push(frag`done_note = ${changes.note}`);
  if (changes.dueDate !== undefined) sets.push(frag`due_date = ${changes.dueDate}::date`);
  if (changes.ownerId !== undefined) sets.push(frag`owner_id = ${changes.ownerId}`);
  if (sets.length === 0) return;
  await sql`update action_items set ${join([...sets, frag`updated_at = now()`], ', ')} where id = ${id}`;
}

/**
 * An item found outside a postmortem (a drill's debrief, a process review):
 * it is tracked from the moment it is written, since there is no publication
 * to wait for. Returns its id.
 */
export async function insertFoundItem(
  sql: Sql,
  input: { incidentId: string; origin: Exclude<ActionOrigin, 'postmortem'>; originId: string; title: string; ownerId: string; dueDate: string; kind: ActionKind; priority: ActionPriority },
): Promise<string> {
  const id = generateSecureRandomString();
  await sql`
    insert into action_items (id, incident_id, source_key, origin, origin_id, title, owner_id, due_date, kind, priority)
    values (${id}, ${input.incidentId}, ${`${input.origin}-${id}`}, ${input.origin}, ${input.originId}, ${input.title.trim()}, ${input.ownerId},
            ${input.dueDate}::date, ${input.kind}, ${input.priority})`;
  return id;
}
