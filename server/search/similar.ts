/**
 * "Has this happened before?": past incidents sharing this one's services
 * and/or its words, for the war room's side panel, each with what its
 * postmortem confirmed. Computed when the panel opens, never on the war
 * room's hot path.
 */
import { frag, type Sql } from '../db/sql.ts';
import { visibleTo, type Viewer } from '../incidents/search.ts';
import type { Incident } from '../incidents/repo.ts';
import { anyWordQuery } from './query.ts';
import type { Severity } from '../shared/severity.ts';

export interface SimilarIncident {
  number: number;
  title: string;
  severity: Severity;
  services: string[];
  /** Services it shares with the incident at hand. */
  sharedServices: string[];
  startedAt: Date;
  resolvedAt: Date | null;
  postmortemVersion: number | null;
  /** Contributing factors that came from a hypothesis confirmed in its war room. */
  confirmedHypotheses: string[];
  score: number;
}

interface SimilarRow {
  number: number;
  title: string;
  severity: Severity;
  services: string[];
  shared: string[];
  started_at: Date;
  resolved_at: Date | null;
  published_version: number | null;
  confirmed: string[];
  score: number;
}

export const SIMILAR_LIMIT = 5;

/** How many recent candidates each signal contributes before scoring; bounds the work whatever the corpus size. */
const CANDIDATES_PER_SIGNAL = 200;

/**
 * Two cheap, index-driven candidate sets (recent incidents on the same
 * services; recent incidents whose title or summary shares a word), each
 * capped, then scored: share of this incident's services the other one has
 * (0–1) plus half the text similarity squashed into 0–1 (ts_rank_cd
 * normalisation 32) over the whole document. Ranking every incident that
 * shares any word would read most of the index (a 24-word OR matches nearly
 * everything) and, on PGlite's single connection, hold up the war room.
 * The same service counts for more than shared words: "API" or "502s" turn up
 * across unrelated systems, a service's failure modes repeat. Drills are left
 * out: they are made up.
 */
export async function findSimilarIncidents(sql: Sql, viewer: Viewer, incident: Incident, limit = SIMILAR_LIMIT): Promise<SimilarIncident[]> {
  const text = `${incident.title} ${incident.summary}`;
  const words = anyWordQuery(text);
  const headlineWords = anyWordQuery(text, { weights: 'AB' });
  if (!words && incident.services.length === 0) return [];
  const services = incident.services;
  const past = frag`i.id <> ${incident.id} and i.state in ('resolved', 'closed') and not i.drill and ${visibleTo(viewer)}`;
  const textRank = words ? frag`ts_rank_cd(s.document, ${words}, 32)` : frag`0`;
  const byText = headlineWords
    ? frag`union
      (select s.incident_id from incident_search s join incidents i on i.id = s.incident_id
       where s.document @@ ${headlineWords} and ${past}
       order by s.started_at desc limit ${CANDIDATES_PER_SIGNAL})`
    : frag``;
  const rows = await sql<SimilarRow>`
    with candidates as (
      (select s.incident_id from incident_search s join incidents i on i.id = s.incident_id
       where s.services && ${services}::text[] and ${past}
       order by s.started_at desc limit ${CANDIDATES_PER_SIGNAL})
      ${byText}
    ),
    ranked as (
      select s.incident_id as id, s.published_version,
        array(select x from unnest(s.services) x where x = any(${services}::text[]) order by x) as shared,
        (case when cardinality(${services}::text[]) = 0 then 0
              else cardinality(array(select x from unnest(s.services) x where x = any(${services}::text[])))::float8
                   / cardinality(${services}::text[]) end)
          + 0.5 * ${textRank}::float8 as score
      from candidates c join incident_search s on s.incident_id = c.incident_id
      order by score desc, s.started_at desc, s.number desc
      limit ${limit}
    )
    select i.number, i.title, i.severity, i.services, r.shared, i.started_at, i.resolved_at, r.published_version, r.score,
      coalesce((
        select array_agg(f ->> 'description' order by f ->> 'createdAt')
        from postmortem_versions v cross join jsonb_array_elements(v.snapshot -> 'factors') f
        where v.incident_id = i.id and v.version = r.published_version
          and f ->> 'hypothesisId' is not null and f ->> 'description' <> ''
      ), '{}') as confirmed
    from ranked r join incidents i on i.id = r.id
    order by r.score desc, i.started_at desc, i.number desc`;
  return rows.map((r) => ({
    number: r.number,
    title: r.title,
    severity: r.severity,
    services: r.services,
    sharedServices: r.shared,
    startedAt: r.started_at,
    resolvedAt: r.resolved_at,
    postmortemVersion: r.published_version,
    confirmedHypotheses: r.confirmed,
    score: r.score,
  }));
}

/**
 * The numbers out of `numbers` the viewer may see now. Cached answers go
 * through this on every read: an incident made private (or a participant
 * removed) disappears at once, whatever the cache holds.
 */
export async function stillVisible(sql: Sql, viewer: Viewer, numbers: readonly number[]): Promise<Set<number>> {
  if (numbers.length === 0) return new Set();
  const rows = await sql<{ number: number }>`select i.number from incidents i where i.number = any(${numbers}::int[]) and ${visibleTo(viewer)}`;
  return new Set(rows.map((r) => r.number));
}
