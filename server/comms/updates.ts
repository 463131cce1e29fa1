/** SQL for published updates and per-incident cadence overrides. Every function takes `sql` first. */
import type { IncidentState } from '../shared/incident-vocabulary.ts';
import type { Sql } from '../db/sql.ts';
import type { Audience } from '../shared/audiences.ts';
import type { PublishedUpdate } from './types.ts';

export interface UpdateRow {
  id: string;
  incident_id: string;
  incident_number: number;
  audience: Audience;
  body_markdown: string;
  body_html: string;
  author_id: string | null;
  author_name: string;
  published_at: Date;
  incident_state: IncidentState;
  incident_title: string;
  severity: 1 | 2 | 3 | 4;
  idempotency_key: string;
  incident_drill: boolean;
}

export const toPublishedUpdate = (row: UpdateRow): PublishedUpdate => ({
  id: row.id,
  incidentId: row.incident_id,
  incidentRef: `INC-${row.incident_number}`,
  incidentTitle: row.incident_title,
  severity: row.severity,
  incidentState: row.incident_state,
  drill: row.incident_drill,
  audience: row.audience,
  bodyMarkdown: row.body_markdown,
  bodyHtml: row.body_html,
  authorId: row.author_id ?? '',
  authorName: row.author_name,
  publishedAt: row.published_at,
});

export interface NewUpdate {
  id: string;
  incidentId: string;
  audience: Audience;
  bodyMarkdown: string;
  bodyHtml: string;
  authorId: string;
  authorName: string;
  publishedAt: Date;
  incidentState: string;
  incidentTitle: string;
  severity: number;
  idempotencyKey: string;
}

/** Inserts the update unless one with the same key exists for the incident; null when it did. */
export async function insertUpdate(sql: Sql, input: NewUpdate): Promise<PublishedUpdate | null> {
  const [row] = await sql<UpdateRow>`
    insert into published_updates (id, incident_id, audience, body_markdown, body_html, author_id, author_name,
                                   published_at, incident_state, incident_title, severity, idempotency_key)
    values (${input.id}, ${input.incidentId}, ${input.audience}, ${input.bodyMarkdown}, ${input.bodyHtml}, ${input.authorId},
            ${input.authorName}, ${input.publishedAt}, ${input.incidentState}, ${input.incidentTitle}, ${input.severity},
            ${input.idempotencyKey})
    on conflict (incident_id, idempotency_key) do nothing
    returning *, (select number from incidents where id = ${input.incidentId}) as incident_number,
      (select drill from incidents where id = ${input.incidentId}) as incident_drill`;
  return row ? toPublishedUpdate(row) : null;
}

export async function findUpdateByKey(sql: Sql, incidentId: string, key: string): Promise<PublishedUpdate | null> {
  const [row] = await sql<UpdateRow>`
    select p.*, i.number as incident_number, i.drill as incident_drill
    from published_updates p join incidents i on i.id = p.incident_id
    where p.incident_id = ${incidentId} and p.idempotency_key = ${key}`;
  return row ? toPublishedUpdate(row) : null;
}

/** Newest first. */
export async function listUpdates(sql: Sql, incidentId: string, audience: Audience | null, limit = 200): Promise<PublishedUpdate[]> {
  const rows = await sql<UpdateRow>`
    select p.*, i.number as incident_number, i.drill as incident_drill
    from published_updates p join incidents i on i.id = p.incident_id
    where p.incident_id = ${incidentId} and (${audience}::text is null or p.audience = ${audience}::text)
    order by p.published_at desc, p.id desc
    limit ${limit}`;
  return rows.map(toPublishedUpdate);
}

export async function lastPublishedAt(sql: Sql, incidentId: string): Promise<Partial<Record<Audience, Date>>> {
  const rows = await sql<{ audience: Audience; at: Date }>`
    select audience, max(published_at) as at from published_updates where incident_id = ${incidentId} group by audience`;
  return Object.fromEntries(rows.map((r) => [r.audience, r.at]));
}

export async function lastStateChangeAt(sql: Sql, incidentId: string): Promise<Date | null> {
  const [row] = await sql<{ at: Date | null }>`select max(at) as at from incident_events where incident_id = ${incidentId} and kind = 'state'`;
  return row?.at ?? null;
}

// --- cadence overrides ------------------------------------------------------

export async function cadenceOverrides(sql: Sql, incidentId: string): Promise<Partial<Record<Audience, { intervalMinutes: number | null }>>> {
  const rows = await sql<{ audience: Audience; interval_minutes: number | null }>`
    select audience, interval_minutes from incident_cadence where incident_id = ${incidentId}`;
  return Object.fromEntries(rows.map((r) => [r.audience, { intervalMinutes: r.interval_minutes }]));
}

export async function setCadenceOverride(sql: Sql, incidentId: string, audience: Audience, intervalMinutes: number | null, by: string): Promise<void> {
  await sql`
    insert into incident_cadence (incident_id, audience, interval_minutes, updated_by, updated_at)
    values (${incidentId}, ${audience}, ${intervalMinutes}, ${by}, now())
    on conflict (incident_id, audience) do update
      set interval_minutes = excluded.interval_minutes, updated_by = excluded.updated_by, updated_at = now()`;
}

export async function clearCadenceOverride(sql: Sql, incidentId: string, audience: Audience): Promise<void> {
  await sql`delete from incident_cadence where incident_id = ${incidentId} and audience = ${audience}`;
}
