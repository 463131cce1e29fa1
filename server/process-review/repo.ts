/** SQL for saved process reviews. */
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import type { PersonRef } from '../incidents/repo.ts';
import type { DelayKind } from './review.ts';

export interface SavedReview {
  id: string;
  title: string;
  filters: { count: number; severity: number[] | null; service: string | null; from: string | null; to: string | null };
  incidentIds: string[];
  notes: string;
  delays: Record<string, { kind: DelayKind; note: string }>;
  createdBy: PersonRef | null;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  id: string;
  title: string;
  filters: SavedReview['filters'];
  incident_ids: string[];
  notes: string;
  delays: SavedReview['delays'];
  created_by: string | null;
  created_by_name: string | null;
  created_at: Date;
  updated_at: Date;
}

const toReview = (r: Row): SavedReview => ({
  id: r.id,
  title: r.title,
  filters: r.filters,
  incidentIds: r.incident_ids,
  notes: r.notes,
  delays: r.delays,
  createdBy: r.created_by ? { id: r.created_by, displayName: r.created_by_name ?? 'Unknown' } : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function insertReview(sql: Sql, input: { title: string; filters: SavedReview['filters']; incidentIds: string[]; createdBy: string }): Promise<string> {
  const id = generateSecureRandomString();
  await sql`
    insert into process_reviews (id, title, filters, incident_ids, created_by)
    values (${id}, ${input.title}, ${input.filters}::jsonb, ${input.incidentIds}::text[], ${input.createdBy})`;
  return id;
}

export async function findReview(sql: Sql, id: string, options: { lock?: boolean } = {}): Promise<SavedReview | null> {
  if (options.lock) await sql`select 1 from process_reviews where id = ${id} for update`;
  const [row] = await sql<Row>`
    select r.*, u.display_name as created_by_name from process_reviews r left join users u on u.id = r.created_by where r.id = ${id}`;
  return row ? toReview(row) : null;
}

/** Newest first. */
export async function listReviews(sql: Sql, limit = 100): Promise<SavedReview[]> {
  const rows = await sql<Row>`
    select r.*, u.display_name as created_by_name from process_reviews r left join users u on u.id = r.created_by
    order by r.created_at desc, r.id limit ${limit}`;
  return rows.map(toReview);
}

export async function updateReview(sql: Sql, id: string, changes: { title?: string; notes?: string; delays?: SavedReview['delays'] }): Promise<void> {
  if (changes.title !== undefined) await sql`update process_reviews set title = ${changes.title}, updated_at = now() where id = ${id}`;
  if (changes.notes !== undefined) await sql`update process_reviews set notes = ${changes.notes}, updated_at = now() where id = ${id}`;
  if (changes.delays !== undefined) await sql`update process_reviews set delays = ${changes.delays}::jsonb, updated_at = now() where id = ${id}`;
}
