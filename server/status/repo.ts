/**
 * SQL for the status page. The public queries name every column they read and
 * read only public ones: the public title, the state, times, and the public
 * audience's published updates. Nothing here may select summary, services,
 * people, severity, the private flag or the internal title, so the public
 * pages cannot show them even by mistake.
 */
import type { Sql } from '../db/sql.ts';
import type { IncidentState } from '../incidents/lifecycle.ts';

/** The war room's view of an incident's status page (internal: used by the commander's control). */
export interface StatusPageSettings {
  slug: string | null;
  /** Null until first made public or given a public title. */
  publicTitle: string | null;
  /** Null = not public. */
  publicSince: Date | null;
}

/** One public incident, as the public may see it. */
export interface PublicIncident {
  slug: string;
  title: string;
  state: IncidentState;
  resolvedAt: Date | null;
  publicSince: Date;
  /** The latest public update, null before the first. */
  lastUpdateAt: Date | null;
  /** The latest change the public can see: made public, retitled, state change, update published. */
  changedAt: Date;
}

/** One published update for the `public` audience. */
export interface PublicUpdate {
  id: string;
  /** The incident's state when it was published. */
  state: IncidentState;
  /** Sanitised when it was published. */
  bodyHtml: string;
  publishedAt: Date;
}

export async function findStatusPageSettings(sql: Sql, incidentId: string): Promise<StatusPageSettings | null> {
  const [row] = await sql<{ public_slug: string | null; public_title: string | null; public_since: Date | null }>`
    select public_slug, public_title, public_since from incidents where id = ${incidentId}`;
  return row ? { slug: row.public_slug, publicTitle: row.public_title, publicSince: row.public_since } : null;
}

export async function saveStatusPageSettings(sql: Sql, incidentId: string, settings: StatusPageSettings): Promise<void> {
  await sql`
    update incidents
    set public_slug = ${settings.slug}, public_title = ${settings.publicTitle}, public_since = ${settings.publicSince}, updated_at = now()
    where id = ${incidentId}`;
}

export async function slugTaken(sql: Sql, slug: string): Promise<boolean> {
  const rows = await sql`select 1 from incidents where public_slug = ${slug}`;
  return rows.length > 0;
}

interface PublicIncidentRow {
  public_slug: string;
  public_title: string;
  state: IncidentState;
  resolved_at: Date | null;
  public_since: Date;
  last_update_at: Date | null;
  changed_at: Date;
}

const toPublicIncident = (row: PublicIncidentRow): PublicIncident => ({
  slug: row.public_slug,
  title: row.public_title,
  state: row.state,
  resolvedAt: row.resolved_at,
  publicSince: row.public_since,
  lastUpdateAt: row.last_update_at,
  changedAt: row.changed_at,
});

// greatest() skips nulls: an incident with no updates yet changed when it went public.
async function selectPublicIncidents(sql: Sql, slug: string | null): Promise<PublicIncident[]> {
  const rows = await sql<PublicIncidentRow>`
    select i.public_slug, i.public_title, i.state, i.resolved_at, i.public_since,
      u.last_update_at,
      greatest(i.public_since, i.resolved_at, u.last_update_at, e.last_event_at) as changed_at
    from incidents i
      left join lateral (
        select max(p.published_at) as last_update_at
        from published_updates p where p.incident_id = i.id and p.audience = 'public'
      ) u on true
      left join lateral (
        select max(ev.at) as last_event_at
        from incident_events ev where ev.incident_id = i.id and ev.kind in ('state', 'status_page')
      ) e on true
    where i.public_since is not null and (${slug}::text is null or i.public_slug = ${slug}::text)
    order by i.state in ('resolved', 'closed'), changed_at desc, i.public_slug
    limit 200`;
  return rows.map(toPublicIncident);
}

/** Every incident whose page is public: ongoing first, then by latest change. */
export const listPublicIncidents = (sql: Sql) => selectPublicIncidents(sql, null);

/** The public incident behind `slug`, or null when there is none or it is not public (now). */
export async function findPublicIncident(sql: Sql, slug: string): Promise<PublicIncident | null> {
  const [incident] = await selectPublicIncidents(sql, slug);
  return incident ?? null;
}

/** The public audience's published updates, newest first. */
export async function listPublicUpdates(sql: Sql, slug: string, limit = 100): Promise<PublicUpdate[]> {
  const rows = await sql<{ id: string; incident_state: IncidentState; body_html: string; published_at: Date }>`
    select p.id::text as id, p.incident_state, p.body_html, p.published_at
    from published_updates p join incidents i on i.id = p.incident_id
    where i.public_slug = ${slug} and i.public_since is not null and p.audience = 'public'
    order by p.published_at desc, p.id desc
    limit ${limit}`;
  return rows.map((row) => ({ id: row.id, state: row.incident_state, bodyHtml: row.body_html, publishedAt: row.published_at }));
}
