/** SQL for runbooks, their versions and their stamps. Every function takes `sql` first so it runs inside a command's transaction. */
import { frag, join, type Fragment, type Sql } from '../db/sql.ts';
import { visibleTo, type Viewer } from '../incidents/search.ts';
import type { PersonRef } from '../incidents/repo.ts';
import type { StampKind } from '../shared/runbook-vocabulary.ts';

export { STAMP_KINDS, type StampKind } from '../shared/runbook-vocabulary.ts';

/** A stamp as the viewer may see it: the incident number is hidden when the incident is private to others. */
export interface Stamp {
  kind: StampKind;
  incidentNumber: number | null;
  by: PersonRef | null;
  at: Date;
}

export interface Runbook {
  id: string;
  slug: string;
  title: string;
  services: string[];
  failureMode: string;
  owner: PersonRef | null;
  body: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  lastUsed: Stamp | null;
  lastVerified: Stamp | null;
}

export interface RunbookVersion {
  version: number;
  title: string;
  body: string;
  author: PersonRef | null;
  at: Date;
  note: string;
}

interface RunbookRow {
  id: string;
  slug: string;
  title: string;
  services: string[];
  failure_mode: string;
  owner_id: string | null;
  owner_name: string | null;
  body: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  last_used: StampJson | null;
  last_verified: StampJson | null;
}

interface StampJson {
  at: string;
  number: number | null;
  by_id: string | null;
  by_name: string | null;
}

const toStamp = (kind: StampKind, json: StampJson | null): Stamp | null =>
  json ? { kind, incidentNumber: json.number, by: json.by_id ? { id: json.by_id, displayName: json.by_name ?? 'Unknown' } : null, at: new Date(json.at) } : null;

const toRunbook = (row: RunbookRow): Runbook => ({
  id: row.id,
  slug: row.slug,
  title: row.title,
  services: row.services,
  failureMode: row.failure_mode,
  owner: row.owner_id ? { id: row.owner_id, displayName: row.owner_name ?? 'Unknown' } : null,
  body: row.body,
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  lastUsed: toStamp('used', row.last_used),
  lastVerified: toStamp('verified', row.last_verified),
});

/**
 * The latest stamp of a kind. Its date is the runbook's (staleness must read the
 * same for everyone); which incident and who stamped it only when the viewer may
 * see that incident, so a private incident's activity does not leak.
 */
function latestStamp(viewer: Viewer, kind: StampKind): Fragment {
  return frag`(select jsonb_build_object(
      'at', u.at,
      'by_id', case when ${visibleTo(viewer)} then u.by_id end,
      'by_name', case when ${visibleTo(viewer)} then bu.display_name end,
      'number', case when ${visibleTo(viewer)} then i.number end)
    from runbook_uses u join incidents i on i.id = u.incident_id left join users bu on bu.id = u.by_id
    where u.runbook_id = r.id and u.kind = ${kind}
    order by u.at desc, u.id desc limit 1)`;
}

function selectRunbooks(viewer: Viewer): Fragment {
  return frag`
    select r.*, o.display_name as owner_name,
      ${latestStamp(viewer, 'used')} as last_used,
      ${latestStamp(viewer, 'verified')} as last_verified
    from runbooks r left join users o on o.id = r.owner_id`;
}

export interface RunbookFilter {
  /** Any of these services. */
  services?: readonly string[];
  q?: string;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listRunbooks(sql: Sql, viewer: Viewer, filter: RunbookFilter): Promise<Runbook[]> {
  const conditions: Fragment[] = [frag`true`];
  if (filter.services?.length) conditions.push(frag`r.services && ${filter.services}::text[]`);
  if (filter.q?.trim()) {
    const like = `%${escapeLike(filter.q.trim().toLowerCase())}%`;
    conditions.push(frag`(lower(r.title) like ${like} or lower(r.failure_mode) like ${like} or lower(r.body) like ${like}
      or exists (select 1 from unnest(r.services) s where s like ${like}))`);
  }
  const rows = await sql<RunbookRow>`${selectRunbooks(viewer)} where ${join(conditions, ' and ')} order by lower(r.title), r.id`;
  return rows.map(toRunbook);
}

/** By id or slug. */
export async function findRunbook(sql: Sql, viewer: Viewer, idOrSlug: string): Promise<Runbook | null> {
  const [row] = await sql<RunbookRow>`${selectRunbooks(viewer)} where r.id = ${idOrSlug} or r.slug = ${idOrSlug} limit 1`;
  return row ? toRunbook(row) : null;
}

export async function lockRunbook(sql: Sql, id: string): Promise<{ id: string; version: number } | null> {
  const [row] = await sql<{ id: string; version: number }>`select id, version from runbooks where id = ${id} for update`;
  return row ?? null;
}

export async function slugTaken(sql: Sql, slug: string): Promise<boolean> {
  return (await sql`select 1 from runbooks where slug = ${slug}`).length > 0;
}

export interface RunbookFields {
  title: string;
  services: string[];
  failureMode: string;
  ownerId: string | null;
  body: string;
}

export async function insertRunbook(sql: Sql, input: RunbookFields & { id: string; slug: string; createdBy: string; at: Date }): Promise<void> {
  await sql`
    insert into runbooks (id, slug, title, services, failure_mode, owner_id, body, version, created_by, created_at, updated_at)
    values (${input.id}, ${input.slug}, ${input.title}, ${input.services}::text[], ${input.failureMode}, ${input.ownerId}, ${input.body},
            1, ${input.createdBy}, ${input.at}, ${input.at})`;
}

export async function updateRunbookRow(sql: Sql, id: string, version: number, input: RunbookFields & { at: Date }): Promise<void> {
  await sql`
    update runbooks set title = ${input.title}, services = ${input.services}::text[], failure_mode = ${input.failureMode},
      owner_id = ${input.ownerId}, body = ${input.body}, version = ${version}, updated_at = ${input.at}
    where id = ${id}`;
}

export async function insertVersion(
  sql: Sql,
  input: { runbookId: string; version: number; title: string; body: string; author: { id: string; displayName: string }; note: string; at: Date },
): Promise<void> {
  await sql`
    insert into runbook_versions (runbook_id, version, title, body, author_id, author_name, note, at)
    values (${input.runbookId}, ${input.version}, ${input.title}, ${input.body}, ${input.author.id}, ${input.author.displayName}, ${input.note}, ${input.at})`;
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

const toVersion = (row: VersionRow): RunbookVersion => ({
  version: row.version,
  title: row.title,
  body: row.body,
  author: row.author_id ? { id: row.author_id, displayName: row.author_name } : null,
  at: row.at,
  note: row.note,
});

/** Newest first. */
export async function listVersions(sql: Sql, runbookId: string): Promise<RunbookVersion[]> {
  const rows = await sql<VersionRow>`select * from runbook_versions where runbook_id = ${runbookId} order by version desc`;
  return rows.map(toVersion);
}

export async function findVersion(sql: Sql, runbookId: string, version: number): Promise<RunbookVersion | null> {
  const [row] = await sql<VersionRow>`select * from runbook_versions where runbook_id = ${runbookId} and version = ${version}`;
  return row ? toVersion(row) : null;
}

export async function insertStamp(sql: Sql, input: { runbookId: string; incidentId: string; kind: StampKind; byId: string; at: Date }): Promise<void> {
  await sql`insert into runbook_uses (runbook_id, incident_id, kind, by_id, at) values (${input.runbookId}, ${input.incidentId}, ${input.kind}, ${input.byId}, ${input.at})`;
}

/** Stamps a runbook got in incidents the viewer may see, newest first. */
export async function listStamps(sql: Sql, viewer: Viewer, runbookId: string, limit = 50): Promise<Stamp[]> {
  const rows = await sql<{ kind: StampKind; number: number; by_id: string | null; by_name: string | null; at: Date }>`
    select u.kind, i.number, u.by_id, bu.display_name as by_name, u.at
    from runbook_uses u join incidents i on i.id = u.incident_id left join users bu on bu.id = u.by_id
    where u.runbook_id = ${runbookId} and ${visibleTo(viewer)}
    order by u.at desc, u.id desc limit ${limit}`;
  return rows.map((r) => ({ kind: r.kind, incidentNumber: r.number, by: r.by_id ? { id: r.by_id, displayName: r.by_name ?? 'Unknown' } : null, at: r.at }));
}
