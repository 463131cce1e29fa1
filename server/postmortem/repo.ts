/** SQL for postmortem rows and their published versions. Every function takes `sql` first so it runs inside a transaction. */
import type { Fragment, Sql } from '../db/sql.ts';
import type { PostmortemContent } from '../shared/postmortem-doc.ts';
import type { PostmortemState } from './review.ts';
import type { Severity } from '../shared/severity.ts';

export interface PersonName {
  id: string;
  displayName: string;
}

export interface Postmortem {
  incidentId: string;
  docId: string;
  state: PostmortemState;
  reviewDueAt: Date;
  generatedAt: Date;
  submittedAt: Date | null;
  submittedBy: PersonName | null;
  publishedAt: Date | null;
  publishedBy: PersonName | null;
  version: number;
  updatedAt: Date;
}

interface PostmortemRow {
  incident_id: string;
  doc_id: string;
  state: PostmortemState;
  review_due_at: Date;
  generated_at: Date;
  submitted_at: Date | null;
  submitted_by: string | null;
  submitted_by_name: string | null;
  published_at: Date | null;
  published_by: string | null;
  published_by_name: string | null;
  version: number;
  updated_at: Date;
}

const person = (id: string | null, name: string | null): PersonName | null => (id ? { id, displayName: name ?? 'Unknown' } : null);

const toPostmortem = (row: PostmortemRow): Postmortem => ({
  incidentId: row.incident_id,
  docId: row.doc_id,
  state: row.state,
  reviewDueAt: row.review_due_at,
  generatedAt: row.generated_at,
  submittedAt: row.submitted_at,
  submittedBy: person(row.submitted_by, row.submitted_by_name),
  publishedAt: row.published_at,
  publishedBy: person(row.published_by, row.published_by_name),
  version: row.version,
  updatedAt: row.updated_at,
});

export async function findPostmortem(sql: Sql, incidentId: string, options: { lock?: boolean } = {}): Promise<Postmortem | null> {
  if (options.lock) await sql`select 1 from postmortems where incident_id = ${incidentId} for update`;
  const [row] = await sql<PostmortemRow>`
    select p.*, s.display_name as submitted_by_name, u.display_name as published_by_name
    from postmortems p
      left join users s on s.id = p.submitted_by
      left join users u on u.id = p.published_by
    where p.incident_id = ${incidentId}`;
  return row ? toPostmortem(row) : null;
}

export async function findPostmortemState(sql: Sql, incidentId: string): Promise<PostmortemState | null> {
  const [row] = await sql<{ state: PostmortemState }>`select state from postmortems where incident_id = ${incidentId}`;
  return row?.state ?? null;
}

/** Inserts the row once; a second generation (a retry, closing again) leaves the first one as it is. */
export async function insertPostmortem(sql: Sql, input: { incidentId: string; docId: string; reviewDueAt: Date; generatedAt: Date }): Promise<boolean> {
  const rows = await sql`
    insert into postmortems (incident_id, doc_id, review_due_at, generated_at)
    values (${input.incidentId}, ${input.docId}, ${input.reviewDueAt}, ${input.generatedAt})
    on conflict (incident_id) do nothing
    returning incident_id`;
  return rows.length > 0;
}

export async function setPostmortemState(
  sql: Sql,
  incidentId: string,
  state: PostmortemState,
  extra: { submittedBy?: string; publishedBy?: string; version?: number; at: Date },
): Promise<void> {
  if (state === 'in_review') {
    await sql`update postmortems set state = ${state}, submitted_at = ${extra.at}, submitted_by = ${extra.submittedBy ?? null}, updated_at = now()
              where incident_id = ${incidentId}`;
  } else if (state === 'published') {
    await sql`update postmortems set state = ${state}, published_at = ${extra.at}, published_by = ${extra.publishedBy ?? null},
                version = ${extra.version ?? 0}, updated_at = now()
              where incident_id = ${incidentId}`;
  } else {
    await sql`update postmortems set state = ${state}, updated_at = now() where incident_id = ${incidentId}`;
  }
}

export async function setReviewDueAt(sql: Sql, incidentId: string, reviewDueAt: Date): Promise<void> {
  await sql`update postmortems set review_due_at = ${reviewDueAt}, updated_at = now() where incident_id = ${incidentId}`;
}

// --- published versions -----------------------------------------------------

export interface PostmortemVersion {
  version: number;
  publishedAt: Date;
  publishedBy: PersonName | null;
  snapshot: PostmortemContent;
  markdown: string;
  /** The Markdown rendered at publication; null for a version published before HTML was stored, until it is rendered once. */
  html: string | null;
}

interface VersionRow {
  version: number;
  published_at: Date;
  published_by: string | null;
  published_by_name: string;
  snapshot: PostmortemContent;
  markdown: string;
  html: string | null;
}

const versionFacts = (row: Omit<VersionRow, 'snapshot'>): Omit<PostmortemVersion, 'snapshot'> => ({
  version: row.version,
  publishedAt: row.published_at,
  publishedBy: row.published_by ? { id: row.published_by, displayName: row.published_by_name } : null,
  markdown: row.markdown,
  html: row.html,
});

const toVersion = (row: VersionRow): PostmortemVersion => ({ ...versionFacts(row), snapshot: row.snapshot });

/** `snapshot` may come as its JSON already, so a caller can serialise a large one before its transaction opens. */
export async function insertVersion(
  sql: Sql,
  input: { incidentId: string; version: number; snapshot: PostmortemContent | string; markdown: string; html: string; publishedAt: Date; publishedBy: PersonName },
): Promise<void> {
  // Sent as text and cast: a string parameter typed jsonb would be stored as a JSON string (postgres.js encodes it again).
  const snapshot = typeof input.snapshot === 'string' ? input.snapshot : JSON.stringify(input.snapshot);
  await sql`
    insert into postmortem_versions (incident_id, version, snapshot, markdown, html, published_at, published_by, published_by_name)
    values (${input.incidentId}, ${input.version}, ${snapshot}::text::jsonb, ${input.markdown}, ${input.html}, ${input.publishedAt},
            ${input.publishedBy.id}, ${input.publishedBy.displayName})`;
}

/** Stores the rendering of a version published before HTML was stored; a version that has one keeps it. */
export async function setVersionHtml(sql: Sql, incidentId: string, version: number, html: string): Promise<void> {
  await sql`update postmortem_versions set html = ${html} where incident_id = ${incidentId} and version = ${version} and html is null`;
}

/** Up to `limit` versions still without HTML, with their Markdown. */
export async function versionsWithoutHtml(sql: Sql, limit: number): Promise<{ incidentId: string; version: number; markdown: string }[]> {
  const rows = await sql<{ incident_id: string; version: number; markdown: string }>`
    select incident_id, version, markdown from postmortem_versions where html is null order by incident_id, version limit ${limit}`;
  return rows.map((r) => ({ incidentId: r.incident_id, version: r.version, markdown: r.markdown }));
}

/** Versions without their content, oldest first; the published-by name is the one at publication. */
export async function listVersions(sql: Sql, incidentId: string): Promise<Omit<PostmortemVersion, 'snapshot' | 'markdown' | 'html'>[]> {
  const rows = await sql<Omit<VersionRow, 'snapshot' | 'markdown' | 'html'>>`
    select version, published_at, published_by, published_by_name
    from postmortem_versions where incident_id = ${incidentId} order by version`;
  return rows.map((row) => ({
    version: row.version,
    publishedAt: row.published_at,
    publishedBy: row.published_by ? { id: row.published_by, displayName: row.published_by_name } : null,
  }));
}

/** When the version was published, or null when it was not: enough to know a cached copy is this version. */
export async function findVersionPublishedAt(sql: Sql, incidentId: string, version: number): Promise<Date | null> {
  const [row] = await sql<{ published_at: Date }>`
    select published_at from postmortem_versions where incident_id = ${incidentId} and version = ${version}`;
  return row ? new Date(row.published_at) : null;
}

export async function findVersion(sql: Sql, incidentId: string, version: number): Promise<PostmortemVersion | null> {
  const [row] = await sql<VersionRow>`
    select version, published_at, published_by, published_by_name, snapshot, markdown, html
    from postmortem_versions where incident_id = ${incidentId} and version = ${version}`;
  return row ? toVersion(row) : null;
}

/** A version as its response is made: the snapshot as the JSON text stored, never parsed (a large one is 600 kB of it). */
export interface StoredVersion extends Omit<PostmortemVersion, 'snapshot'> {
  snapshotJson: string;
}

export async function findStoredVersion(sql: Sql, incidentId: string, version: number): Promise<StoredVersion | null> {
  const [row] = await sql<Omit<VersionRow, 'snapshot'> & { snapshot_json: string }>`
    select version, published_at, published_by, published_by_name, snapshot::text as snapshot_json, markdown, html
    from postmortem_versions where incident_id = ${incidentId} and version = ${version}`;
  return row ? { ...versionFacts(row), snapshotJson: row.snapshot_json } : null;
}

// --- overdue reviews --------------------------------------------------------

export interface OverdueReview {
  incident: { id: string; number: number; title: string; severity: Severity };
  state: PostmortemState;
  reviewDueAt: Date;
}

/** Drafts and reviews past their due date, most overdue first, among incidents `visible` lets through (alias i). */
export async function listOverdueReviews(sql: Sql, visible: Fragment): Promise<OverdueReview[]> {
  const rows = await sql<{ id: string; number: number; title: string; severity: Severity; state: PostmortemState; review_due_at: Date }>`
    select i.id, i.number, i.title, i.severity, p.state, p.review_due_at
    from postmortems p join incidents i on i.id = p.incident_id
    where p.state in ('draft', 'in_review') and p.review_due_at < now() and ${visible}
    order by p.review_due_at, i.number
    limit 200`;
  return rows.map((r) => ({ incident: { id: r.id, number: r.number, title: r.title, severity: r.severity }, state: r.state, reviewDueAt: r.review_due_at }));
}
