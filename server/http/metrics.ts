import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from './auth-middleware.ts';
import type { Viewer } from '../incidents/search.ts';
import { metricsCsv } from '../metrics/csv.ts';
import { computeMetrics, countedIncidents, durationPoint, METRICS, recurrencePoint, recurrenceTest } from '../metrics/definitions.ts';
import { bucketOf, bucketsBetween, PERIODS, type Period } from '../metrics/periods.ts';
import { loadActionItemFacts, loadIncidentFacts, loadPublishedPostmortems } from '../metrics/repo.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError } from './errors.ts';
import { describe } from './openapi/describe.ts';
import { MetricsResponse } from '../shared/api/metrics.ts';
import { parse } from './validate.ts';

const DAY = 86_400_000;
/** Enough for five years of weeks; beyond that a weekly chart is unreadable anyway. */
const MAX_BUCKETS = 262;
/** How far back the page looks when no range is given. */
const DEFAULT_BUCKETS: Record<Period, number> = { week: 12, month: 12, quarter: 4 };

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-03-01')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real date');

export const metricsQuery = z.object({
  period: z.enum(PERIODS, { error: 'must be week, month or quarter' }).default('week'),
  from: day.meta({ description: 'First day (UTC), inclusive; defaults to 12 weeks, 12 months or 4 quarters back' }).optional(),
  to: day.meta({ description: 'Last day (UTC), inclusive; defaults to today' }).optional(),
  severity: z
    .string()
    .regex(/^[1-4](,[1-4])*$/, 'must be 1 to 4, or a list like 1,2')
    .meta({ description: 'One severity or a comma list, e.g. 1,2' })
    .transform((s) => [...new Set(s.split(',').map(Number))])
    .optional(),
  service: z.string().trim().toLowerCase().min(1, 'must not be empty').max(60, 'must be at most 60 characters').optional(),
});
type MetricsQuery = z.infer<typeof metricsQuery>;

export interface MetricsRange {
  period: Period;
  from: Date;
  /** Exclusive: the day after the last day asked for. */
  to: Date;
}

/** The range the query asks for, defaults filled in; 400 when backwards or too long. */
export function rangeOf(query: MetricsQuery, now: Date): MetricsRange {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const to = query.to ? new Date(new Date(`${query.to}T00:00:00Z`).getTime() + DAY) : new Date(today.getTime() + DAY);
  let from: Date;
  if (query.from) from = new Date(`${query.from}T00:00:00Z`);
  else {
    // Back from the period holding the last day, whole periods only.
    from = bucketOf(new Date(to.getTime() - 1), query.period).start;
    for (let i = 1; i < DEFAULT_BUCKETS[query.period]; i++) from = bucketOf(new Date(from.getTime() - 1), query.period).start;
  }
  if (from >= to) throw new ApiError(400, 'invalid_input', 'from: must be on or before to', { field: 'from' });
  if (bucketsBetween(from, to, query.period).length > MAX_BUCKETS) {
    throw new ApiError(400, 'invalid_input', `from: the range holds more than ${MAX_BUCKETS} ${query.period}s; pick a longer period or a shorter range`, { field: 'from' });
  }
  return { period: query.period, from, to };
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

const tags = ['Metrics'];
const docs = {
  metrics: describe({
    tags,
    scope: 'incidents:read',
    summary: 'Reliability metrics per week, month or quarter',
    description:
      'Incident count, time to detect / acknowledge / resolve / postmortem and from correct hypothesis to resolution (median and p90), recurrence rate and action items, with each metric’s definition. Drills are never counted; only incidents the caller may see are.',
    query: metricsQuery,
    responses: { 200: { description: 'Series per metric', schema: MetricsResponse } },
  }),
  csv: describe({
    tags,
    scope: 'incidents:read',
    summary: 'The incidents behind the metrics, as CSV',
    description: 'One row per counted incident with its times and computed durations (minutes). Same query as GET /api/metrics.',
    query: metricsQuery,
    responses: { 200: { description: 'RFC 4180 CSV with a header row', contentType: 'text/csv' } },
  }),
};

const viewerOf = (c: Context<AppEnv>): Viewer => {
  const { user } = currentUser(c);
  return { id: user.id, isAdmin: user.role === 'admin' };
};

/** /api/metrics: figures for /metrics and their CSV. */
export function metricsRoutes({ sql }: AppDeps) {
  async function load(c: Context<AppEnv>) {
    const query = parse(metricsQuery, c.req.query());
    const now = new Date();
    const range = rangeOf(query, now);
    const viewer = viewerOf(c);
    const filter = { severities: query.severity, service: query.service };
    const [incidents, published, actionItems] = await Promise.all([
      loadIncidentFacts(sql, viewer, range, filter),
      loadPublishedPostmortems(sql, viewer, range),
      loadActionItemFacts(sql, viewer, range, filter),
    ]);
    return { query, range, now, incidents, published, actionItems };
  }

  return new Hono<AppEnv>()
    .use(requireUser)
    .get('/', docs.metrics, async (c) => {
      const { query, range, now, incidents, published, actionItems } = await load(c);
      const { buckets, ...series } = computeMetrics({ ...range, now, incidents, published, actionItems });
      const counted = countedIncidents(incidents, range.from, range.to);
      return c.json({
        period: range.period,
        from: isoDay(range.from),
        to: isoDay(new Date(range.to.getTime() - DAY)),
        filters: { severity: query.severity ?? null, service: query.service ?? null },
        buckets: buckets.map((b) => ({ key: b.key, label: b.label, start: b.start.toISOString(), end: b.end.toISOString() })),
        definitions: [...METRICS],
        series,
        totals: {
          incidents: counted.length,
          mttd: durationPoint(counted, 'timeToDetect'),
          mtta: durationPoint(counted, 'timeToAcknowledge'),
          mttr: durationPoint(counted, 'timeToResolve'),
          time_to_postmortem: durationPoint(counted, 'timeToPostmortem'),
          hypothesis_to_resolve: durationPoint(counted, 'hypothesisToResolve'),
          recurrence_rate: recurrencePoint(counted, recurrenceTest(published)),
        },
      } satisfies z.output<typeof MetricsResponse>);
    })
    .get('/export.csv', docs.csv, async (c) => {
      const { range, incidents, published } = await load(c);
      const name = `warroom-metrics-${isoDay(range.from)}-to-${isoDay(new Date(range.to.getTime() - DAY))}.csv`;
      return c.body(metricsCsv(incidents, published, range.period), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name}"`,
        'Cache-Control': 'no-store',
      });
    });
}
