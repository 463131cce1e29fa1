/** Finding incidents: the filtered, ordered list and service autocomplete, both limited to what the viewer may see. */
import { frag, join, type Fragment, type Sql } from '../db/sql.ts';
import { ACTIVE_STATES, type IncidentState } from './lifecycle.ts';
import { SELECT_INCIDENT, toIncident, type Incident, type IncidentRow } from './repo.ts';
import type { Severity } from '../shared/severity.ts';

export interface Viewer {
  id: string;
  isAdmin: boolean;
}

/** Private incidents are visible to their participants (role holders always are) and to admins. */
export function visibleTo(viewer: Viewer): Fragment {
  if (viewer.isAdmin) return frag`true`;
  return frag`(not i.private or exists (
    select 1 from incident_participants vp where vp.incident_id = i.id and vp.user_id = ${viewer.id}))`;
}

export interface IncidentFilter {
  states?: readonly IncidentState[];
  severities?: readonly Severity[];
  service?: string;
  q?: string;
  limit: number;
  offset: number;
}

/** "pay db" → "pay:* & db:*": every word must start a word in the title or summary. */
export function toPrefixQuery(q: string): string | null {
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  return words ? words.slice(0, 10).map((w) => `${w}:*`).join(' & ') : null;
}

/**
 * Title and summary match a prefix query. The expression is the one
 * incidents_search_idx indexes (text cleaned of underscores, on which the
 * parser is quadratic), so the search reads the index.
 */
export function matchesWords(query: string): Fragment {
  return frag`to_tsvector('simple'::regconfig, incident_search_clean(i.title || ' ' || i.summary)) @@ to_tsquery('simple'::regconfig, ${query})`;
}

export async function listIncidents(sql: Sql, viewer: Viewer, filter: IncidentFilter): Promise<{ incidents: Incident[]; total: number }> {
  const conditions = [visibleTo(viewer)];
  if (filter.states?.length) conditions.push(frag`i.state = any(${filter.states}::text[])`);
  if (filter.severities?.length) conditions.push(frag`i.severity = any(${filter.severities}::int[])`);
  if (filter.service) conditions.push(frag`i.services @> ${[filter.service]}::text[]`);
  if (filter.q) {
    const query = toPrefixQuery(filter.q);
    const number = /^\s*(?:inc-?)?(\d{1,9})\s*$/i.exec(filter.q)?.[1];
    const matches: Fragment[] = [];
    if (query) matches.push(matchesWords(query));
    if (number) matches.push(frag`i.number = ${Number(number)}`);
    conditions.push(matches.length ? frag`(${join(matches, ' or ')})` : frag`false`);
  }
  const where = join(conditions, ' and ');
  const active = frag`i.state = any(${ACTIVE_STATES}::text[])`;
  const rows = await sql<IncidentRow>`
    ${SELECT_INCIDENT}
    where ${where}
    order by case when ${active} then 0 else 1 end,
      case when ${active} then i.severity end,
      case when ${active} then i.declared_at end desc,
      coalesce(i.resolved_at, i.declared_at) desc,
      i.number desc
    limit ${filter.limit} offset ${filter.offset}`;
  const [{ total }] = await sql<{ total: number }>`select count(*)::int as total from incidents i where ${where}`;
  return { incidents: rows.map(toIncident), total };
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Services named on incidents the viewer can see, prefix matches first, then the most used. */
export async function suggestServices(sql: Sql, viewer: Viewer, q: string, limit = 20): Promise<string[]> {
  const needle = escapeLike(q.trim().toLowerCase());
  const rows = await sql<{ service: string }>`
    select s.service, count(*)::int as uses
    from incidents i cross join lateral unnest(i.services) as s(service)
    where ${visibleTo(viewer)} and s.service like ${`%${needle}%`}
    group by s.service
    order by (s.service like ${`${needle}%`}) desc, uses desc, s.service
    limit ${limit}`;
  return rows.map((r) => r.service);
}
