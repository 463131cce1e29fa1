/**
 * /api/search (the knowledge base) and /api/incidents/:ref/similar (the war
 * room's "has this happened before" panel). Thin: parse, ask server/search,
 * shape the answer.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/middleware.ts';
import { findIncidentByNumber } from '../incidents/repo.ts';
import type { Viewer } from '../incidents/search.ts';
import { standingIn } from '../incidents/visibility.ts';
import { parseQuery } from '../search/query.ts';
import { DRILL_MODES, searchIncidents } from '../search/repo.ts';
import { SimilarCache } from '../search/similar-cache.ts';
import { findSimilarIncidents, type SimilarIncident } from '../search/similar.ts';
import { FACTOR_CATEGORIES } from '../shared/postmortem-doc.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { parseIncidentRef } from './incidents.ts';
import { describe } from './openapi/describe.ts';
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

const instant = z.iso.datetime();
const Segments = z.array(z.strictObject({ text: z.string(), hit: z.boolean() })).meta({ description: 'Plain text in order; `hit` marks words matching the query. Render as text, never as HTML.' });
const SearchResult = z.strictObject({
  ref: z.string(),
  number: z.number().int(),
  title: z.string(),
  titleSegments: Segments,
  severity: z.number().int(),
  state: z.string(),
  services: z.array(z.string()),
  drill: z.boolean(),
  private: z.boolean(),
  startedAt: instant,
  resolvedAt: instant.nullable(),
  postmortemVersion: z.number().int().nullable().meta({ description: 'Latest published postmortem version, null when none is published' }),
  categories: z.array(z.string()).meta({ description: 'Contributing-factor categories of the published postmortem' }),
  url: z.string().meta({ description: 'The published postmortem when there is one, else the war room' }),
  rank: z.number(),
  snippet: Segments,
});
const SearchResponse = z
  .strictObject({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), results: z.array(SearchResult) })
  .meta({ id: 'SearchResults' });
const SimilarResponse = z
  .strictObject({
    similar: z.array(
      z.strictObject({
        ref: z.string(),
        number: z.number().int(),
        title: z.string(),
        severity: z.number().int(),
        services: z.array(z.string()),
        sharedServices: z.array(z.string()),
        startedAt: instant,
        resolvedAt: instant.nullable(),
        postmortemVersion: z.number().int().nullable(),
        url: z.string(),
        confirmedHypotheses: z.array(z.string()).meta({ description: 'Contributing factors its postmortem traced to a confirmed hypothesis' }),
        score: z.number(),
      }),
    ),
  })
  .meta({ id: 'SimilarIncidents' });

const tags = ['Search'];
const docs = {
  search: describe({
    tags,
    summary: 'Search past incidents and postmortems',
    description:
      'Ranked full-text search over titles, summaries, published postmortems (summary, contributing factors, timeline, sections) and action items. Titles weigh most, then summaries and factors, then the rest. Only incidents the caller may see; drills left out unless asked for. Without q, lists the filtered incidents newest first.',
    query: searchQuery,
    responses: { 200: { description: 'One page of results', schema: SearchResponse } },
  }),
  similar: describe({
    tags,
    summary: 'Past incidents like this one',
    description:
      'Up to five resolved or closed incidents (not drills) sharing this one’s services or words of its title and summary, each with its postmortem and the hypotheses it confirmed. Cached for a minute per incident and caller.',
    responses: { 200: { description: 'Most similar first', schema: SimilarResponse } },
    errors: [404],
  }),
};

const viewerOf = (c: Context<AppEnv>): Viewer => {
  const { user } = currentUser(c);
  return { id: user.id, isAdmin: user.role === 'admin' };
};

const urlOf = (number: number, postmortemVersion: number | null) =>
  postmortemVersion ? `/incidents/${number}/postmortem` : `/incidents/INC-${number}`;

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
    });
  });
}

/** Mounted at /incidents; two path segments, so it never meets the incident router's /:ref. */
export function similarRoutes({ sql }: AppDeps, cache = new SimilarCache<SimilarIncident[]>()) {
  return new Hono<AppEnv>().get('/:ref/similar', docs.similar, requireUser, async (c) => {
    const viewer = viewerOf(c);
    const incident = await findIncidentByNumber(sql, parseIncidentRef(c.req.param('ref')));
    if (!(await standingIn(sql, viewer, incident))) throw notFound('No such incident.');
    const current = incident!;
    // The answer depends on the incident's words and on what this caller may see.
    const key = `${current.id}:${current.updatedAt.getTime()}:${viewer.isAdmin ? 'admin' : viewer.id}`;
    const similar = await cache.getOrLoad(key, () => findSimilarIncidents(sql, viewer, current));
    return c.json({
      similar: similar.map((s) => ({
        ref: `INC-${s.number}`,
        ...s,
        startedAt: s.startedAt.toISOString(),
        resolvedAt: s.resolvedAt?.toISOString() ?? null,
        url: urlOf(s.number, s.postmortemVersion),
      })),
    });
  });
}
