import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from './auth-middleware.ts';
import { reviewQuarter } from '../metrics/patterns.ts';
import { bucketOf, parseQuarter } from '../metrics/periods.ts';
import { loadIncidentFacts, loadPublishedSnapshots, loadStructuralItems } from '../metrics/repo.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { describe } from './openapi/describe.ts';
import { PatternReview } from '../shared/api/metrics.ts';
import { parse } from './validate.ts';

const patternsQuery = z.object({
  quarter: z
    .string()
    .regex(/^\d{4}-Q[1-4]$/, 'must be a quarter like 2026-Q3')
    // 9999-Q4 ends in the year 10000, which dates in the database cannot hold.
    .refine((q) => q < '9999-Q4', 'must be a quarter before 9999-Q4')
    .meta({ description: 'The quarter to review, e.g. 2026-Q3; defaults to the current one' })
    .optional(),
});

const review = describe({
  tags: ['Metrics'],
  scope: 'incidents:read',
  summary: 'The quarterly pattern review',
  description:
    'Contributing factors by category and service (from published postmortems), services with two or more incidents, detection gaps (over 30 minutes or not recorded) and structural action items with their completion. Non-drill incidents the caller may see that started in the quarter.',
  query: patternsQuery,
  responses: { 200: { description: 'The quarter at a glance', schema: PatternReview } },
});

/** /api/patterns: the page a lead brings to the quarterly review. */
export function patternRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>().use(requireUser).get('/', review, async (c) => {
    const query = parse(patternsQuery, c.req.query());
    const now = new Date();
    const quarter = (query.quarter && parseQuarter(query.quarter)) || bucketOf(now, 'quarter');
    const { user } = currentUser(c);
    const incidents = await loadIncidentFacts(sql, { id: user.id, isAdmin: user.role === 'admin' }, { from: quarter.start, to: quarter.end }, {});
    const ids = incidents.map((f) => f.id);
    const [postmortems, structuralItems] = await Promise.all([loadPublishedSnapshots(sql, ids), loadStructuralItems(sql, ids)]);
    const result = reviewQuarter({ incidents, postmortems, structuralItems, now });
    return c.json({ quarter: { key: quarter.key, label: quarter.label, start: quarter.start.toISOString(), end: quarter.end.toISOString() }, ...result } satisfies z.output<typeof PatternReview>);
  });
}
