/**
 * The knowledge-base queries over incident_search (011_search.sql): ranked
 * full-text search with filters, and "past incidents like this one". Both
 * filter by visibility in SQL, so a private incident never leaves the database
 * for someone who may not see it.
 */
import { frag, join, type Fragment, type Sql } from '../db/sql.ts';
import type { Viewer } from '../incidents/search.ts';
import type { IncidentState } from '../incidents/lifecycle.ts';
import type { FactorCategory } from '../shared/postmortem-doc.ts';
import { hasTerms, toTsquery, type ParsedQuery } from './query.ts';
import { HEADLINE_OPTIONS, segmentsOf, TITLE_OPTIONS, type Segment } from './snippet.ts';
import type { Severity } from '../shared/severity.ts';

export const DRILL_MODES = ['exclude', 'include', 'only'] as const;
export type DrillMode = (typeof DRILL_MODES)[number];

export interface SearchFilter {
  /** Null browses the filtered incidents, newest first. */
  query: ParsedQuery | null;
  services?: readonly string[];
  severities?: readonly number[];
  /** Started at or after. */
  from?: Date;
  /** Started before (exclusive). */
  to?: Date;
  categories?: readonly FactorCategory[];
  drills: DrillMode;
  limit: number;
  offset: number;
}

export interface SearchHit {
  number: number;
  title: string;
  /** The title with query hits marked. */
  titleSegments: Segment[];
  severity: Severity;
  state: IncidentState;
  services: string[];
  drill: boolean;
  private: boolean;
  startedAt: Date;
  resolvedAt: Date | null;
  /** Latest published postmortem version, null when none is published. */
  postmortemVersion: number | null;
  categories: string[];
  rank: number;
  snippet: Segment[];
}

interface HitRow {
  number: number;
  title: string;
  title_marked: string;
  severity: Severity;
  state: IncidentState;
  services: string[];
  drill: boolean;
  private: boolean;
  started_at: Date;
  resolved_at: Date | null;
  published_version: number | null;
  categories: string[];
  rank: number;
  total: number;
  snippet: string;
}

/** Length-normalised (1 + log of the document length), so a long postmortem does not outrank a title hit by sheer volume. */
const RANK_NORMALISATION = 1;
/** Without a query there are no hits to centre on: the start of the text. */
const PLAIN_SNIPPET_CHARS = 220;

/**
 * visibleTo (server/incidents/search.ts) over the index row's copy of
 * `private`: the same rule, so the page is chosen without touching incidents.
 */
function searchVisibleTo(viewer: Viewer): Fragment {
  if (viewer.isAdmin) return frag`true`;
  return frag`(not s.private or exists (
    select 1 from incident_participants vp where vp.incident_id = s.incident_id and vp.user_id = ${viewer.id}))`;
}

function filters(filter: SearchFilter, viewer: Viewer): Fragment[] {
  const where = [searchVisibleTo(viewer)];
  if (filter.drills === 'exclude') where.push(frag`not s.drill`);
  if (filter.drills === 'only') where.push(frag`s.drill`);
  if (filter.services?.length) where.push(frag`s.services && ${filter.services}::text[]`);
  if (filter.severities?.length) where.push(frag`s.severity = any(${filter.severities}::int[])`);
  if (filter.from) where.push(frag`s.started_at >= ${filter.from}`);
  if (filter.to) where.push(frag`s.started_at < ${filter.to}`);
  if (filter.categories?.length) where.push(frag`s.categories && ${filter.categories}::text[]`);
  return where;
}

/**
 * One page of results and the total. The rank and the filter run over every
 * match; ts_headline (the slow part) only for the page, after the limit.
 */
export async function searchIncidents(sql: Sql, viewer: Viewer, filter: SearchFilter): Promise<{ hits: SearchHit[]; total: number }> {
  // Typed something, but nothing searchable (stop words, punctuation, only exclusions): nothing matches.
  if (filter.query && !hasTerms(filter.query)) return { hits: [], total: 0 };
  const tsquery = filter.query ? toTsquery(filter.query) : null;
  const where = filters(filter, viewer);
  if (tsquery) where.push(frag`s.document @@ ${tsquery}`);
  const rank = tsquery ? frag`ts_rank_cd(s.document, ${tsquery}, ${RANK_NORMALISATION})` : frag`0::real`;
  const snippet = tsquery ? frag`ts_headline('english'::regconfig, s.body, ${tsquery}, ${HEADLINE_OPTIONS})` : frag`left(s.body, ${PLAIN_SNIPPET_CHARS})`;
  const title = tsquery ? frag`ts_headline('english'::regconfig, i.title, ${tsquery}, ${TITLE_OPTIONS})` : frag`i.title`;
  const rows = await sql<HitRow>`
    with page as (
      select s.incident_id as id, ${rank} as rank, count(*) over () as total
      from incident_search s
      where ${join(where, ' and ')}
      order by rank desc, s.started_at desc, s.number desc
      limit ${filter.limit} offset ${filter.offset}
    )
    select i.number, i.title, ${title} as title_marked, i.severity, i.state, i.services, i.drill, i.private,
      i.started_at, i.resolved_at, s.published_version, s.categories, p.rank::float8 as rank, p.total::int as total,
      ${snippet} as snippet
    from page p join incidents i on i.id = p.id join incident_search s on s.incident_id = p.id
    order by p.rank desc, i.started_at desc, i.number desc`;
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && filter.offset > 0) {
    // Paged past the end: the window count is not there to read, so count on its own.
    const [row] = await sql<{ total: number }>`
      select count(*)::int as total from incident_search s where ${join(where, ' and ')}`;
    total = row.total;
  }
  return {
    total,
    hits: rows.map((r) => ({
      number: r.number,
      title: r.title,
      titleSegments: segmentsOf(r.title_marked),
      severity: r.severity,
      state: r.state,
      services: r.services,
      drill: r.drill,
      private: r.private,
      startedAt: r.started_at,
      resolvedAt: r.resolved_at,
      postmortemVersion: r.published_version,
      categories: r.categories,
      rank: r.rank,
      snippet: segmentsOf(r.snippet),
    })),
  };
}
