/**
 * /api/search (the knowledge base) and /api/incidents/:ref/similar (the war
 * room's "has this happened before" panel). Thin: parse, ask server/search,
 * shape the answer.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from './auth-middleware.ts';
import type { Viewer } from '../incidents/search.ts';
import { parseQuery } from '../search/query.ts';
import { DRILL_MODES, searchIncidents } from '../search/repo.ts';
import { SimilarCache } from '../search/similar-cache.ts';
import { findSimilarIncidents, stillVisible, type SimilarIncident } from '../search/similar.ts';
import { FACTOR_CATEGORIES } from '../shared/postmortem-doc.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError } from './errors.ts';
import { incidentPath, postmortemPath } from '../shared/incident-paths.ts';
import type { IncidentEnv } from './incident-access.ts';
import { describe } from './openapi/describe.ts';
import { SearchResponse, SimilarResponse } from '../shared/api/search.ts';
import { parse } from './validate.ts';

const DAY = 86_400_000;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-03-01')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real date');

const commaList = (description: string) => z.string().meta({ description }).transform((s) => [...new Set(s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean))]);

export const searchQuery = z.object({
  q: z.string().max(500, 'must be at most 500 characters').default('').meta({ description: 'Words (all must match), "quoted phrases", -excluded, prefix*' }),
  service: commaList('One service or a comma list; matches incidents on any of them')
    .pipe(z.array(z.string().max(60, 'must be at most 60 characters per service')).max(20, 'name at most 20 services'))
    .optional(),
  severity: z
    .string()
    .regex(/^[1-4](,[1-4])*$/, 'must be 1 to 4, or a list like 1,2')
    .meta({ description: 'One severity or a comma list, e.g. 1,2' })
    .transform((s) => [...new Set(s.split(',').map(Number))])
    .optional(),
  from: day.meta({ description: 'Started on or after this day (UTC)' }).optional(),
  to: day.meta({ description: 'Started on or before this day (UTC)' }).optional(),
  category: commaList(`Contributing-factor category of the published postmortem: ${FACTOR_CATEGORIES.join(', ')} (comma list)`)
    .pipe(z.array(z.enum(FACTOR_CATEGORIES, { error: `must be ${FACTOR_CATEGORIES.join(', ')}` })))
    .optional(),
  drills: z.enum(DRILL_MODES, { error: 'must be exclude, include or only' }).default('exclude').meta({ description: 'Drills are left out unless asked for' }),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(50, 'must be at most 50').default(20),
  offset: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').max(10_000, 'must be at most 10000').default(0),
});

const tags = ['Search'];
const docs = {
  search: describe({
    tags,
    scope: 'incidents:read',
    summary: 'Search past incidents and postmortems',
    description:
      'Ranked full-text search over titles, summaries, published postmortems (summary, contributing factors, timeline, sections) and action items. Titles weigh most, then summaries and factors, then the rest. Only incidents the caller may see; drills left out unless asked for. Without q, lists the filtered incidents newest first.',
    query: searchQuery,
    responses: { 200: { description: 'One page of results', schema: SearchResponse } },
  }),
  similar: describe({
    tags,
    scope: 'incidents:read',
    summary: 'Past incidents like this one',
    description:
      'Up to five resolved or closed incidents (not drills) sharing this one’s services or words of its title and summary, each with its postmortem and the hypotheses it confirmed. Cached for a minute per incident and caller.',
    responses: { 200: { description: 'Most similar first', schema: SimilarResponse } },
    errors: [404],
  }),
};

const viewerOf = (c: { var: AppEnv['Variables'] }): Viewer => {
  const { user } = currentUser(c);
  return { id: user.id, isAdmin: user.role === 'admin' };
};

const urlOf = (number: number, postmortemVersion: number | null) => (postmortemVersion ? postmortemPath(number) : incidentPath(number));

export function searchRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>().use(requireUser).get('/', docs.search, async (c) => {
    const query = parse(searchQuery, c.req.query());
    const from = query.from ? new Date(`${query.from}T00:00:00Z`) : undefined;
    const to = query.to ? new Date(new Date(`${query.to}T00:00:00Z`).getTime() + DAY) : undefined;
    if (from && to && from >= to) throw new ApiError(400, 'invalid_input', 'from: must be on or before to', { field: 'from' });
    const { hits, total } = await searchIncidents(sql, viewerOf(c), {
      query: query.q.trim() ? parseQuery(query.q) : null,
      services: query.service,
      severities: query.severity,
      from,
      to,
      categories: query.category,
      drills: query.drills,
      limit: query.limit,
      offset: query.offset,
    });
    return c.json({
      total,
      limit: query.limit,
      offset: query.offset,
      results: hits.map((h) => ({
        ref: `INC-${h.number}`,
        ...h,
        startedAt: h.startedAt.toISOString(),
        resolvedAt: h.resolvedAt?.toISOString() ?? null,
        url: urlOf(h.number, h.postmortemVersion),
      })),
    } satisfies z.output<typeof SearchResponse>);
  });
}

/** Incidents like this one, under /incidents/:ref. */
export function similarRoutes({ sql }: AppDeps, cache = new SimilarCache<SimilarIncident[]>()) {
  return new Hono<IncidentEnv>().get('/:ref/similar', docs.similar, async (c) => {
    const viewer = viewerOf(c);
    const current = c.var.seen.incident;
    // The answer depends on the incident's words and on what this caller may see.
    const key = `${current.id}:${current.updatedAt.getTime()}:${viewer.isAdmin ? 'admin' : viewer.id}`;
    const cached = await cache.getOrLoad(key, () => findSimilarIncidents(sql, viewer, current));
    const visible = await stillVisible(sql, viewer, cached.map((s) => s.number));
    const similar = cached.filter((s) => visible.has(s.number));
    return c.json({
      similar: similar.map((s) => ({
        ref: `INC-${s.number}`,
        ...s,
        startedAt: s.startedAt.toISOString(),
        resolvedAt: s.resolvedAt?.toISOString() ?? null,
        url: urlOf(s.number, s.postmortemVersion),
      })),
    } satisfies z.output<typeof SimilarResponse>);
  });
}
