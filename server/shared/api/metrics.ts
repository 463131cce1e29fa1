/** What /api/metrics (figures per period, durations in milliseconds) and /api/patterns (the quarterly review) answer. */
import { z } from 'zod';
import { PERIODS } from '../metric-points.ts';

export const DurationPointSchema = z.object({ median: z.number().nullable(), p90: z.number().nullable(), measured: z.number().int(), notRecorded: z.number().int() });
export const RatioPointSchema = z.object({
  recurring: z.number().int(),
  measured: z.number().int().meta({ description: 'Incidents that could be classified (own published postmortem naming a factor)' }),
  notRecorded: z.number().int(),
  rate: z.number().nullable().meta({ description: 'recurring / measured; null when none could be classified' }),
});
export const KindSplitSchema = z.object({ immediate: z.number().int(), structural: z.number().int() });
export const ActionItemPointSchema = z.object({ created: KindSplitSchema, done: KindSplitSchema, overdue: KindSplitSchema });
export const MetricsResponse = z
  .object({
    period: z.enum(PERIODS),
    from: z.string().meta({ description: 'First day, inclusive' }),
    to: z.string().meta({ description: 'Last day, inclusive' }),
    filters: z.object({ severity: z.array(z.number().int()).nullable(), service: z.string().nullable() }),
    buckets: z.array(z.object({ key: z.string(), label: z.string(), start: z.iso.datetime(), end: z.iso.datetime() })),
    definitions: z.array(z.object({ id: z.string(), name: z.string(), unit: z.string(), definition: z.string() })),
    series: z
      .object({
        incident_count: z.array(z.number().int()),
        mttd: z.array(DurationPointSchema),
        mtta: z.array(DurationPointSchema),
        mttr: z.array(DurationPointSchema),
        time_to_postmortem: z.array(DurationPointSchema),
        hypothesis_to_resolve: z.array(DurationPointSchema),
        recurrence_rate: z.array(RatioPointSchema),
        action_items: z.array(ActionItemPointSchema),
      })
      .meta({ description: 'One point per bucket, in bucket order; durations in milliseconds' }),
    totals: z.object({
      incidents: z.number().int(),
      mttd: DurationPointSchema,
      mtta: DurationPointSchema,
      mttr: DurationPointSchema,
      time_to_postmortem: DurationPointSchema,
      hypothesis_to_resolve: DurationPointSchema,
      recurrence_rate: RatioPointSchema,
    }),
  })
  .meta({ id: 'Metrics' });

// --- the quarterly pattern review ----------------------------------------------

const ref = z.object({ ref: z.string(), title: z.string(), severity: z.number().int(), startedAt: z.iso.datetime() });
export const PatternReview = z
  .object({
    quarter: z.object({ key: z.string(), label: z.string(), start: z.iso.datetime(), end: z.iso.datetime() }),
    incidentCount: z.number().int(),
    factors: z.array(
      z.object({
        category: z.string(),
        count: z.number().int(),
        services: z.array(z.object({ service: z.string(), count: z.number().int(), factors: z.array(z.object({ incident: ref, description: z.string() })) })),
      }),
    ),
    recurringServices: z.array(z.object({ service: z.string(), incidents: z.array(ref) })),
    detectionGaps: z.array(z.object({ incident: ref, timeToDetect: z.number().nullable(), detectionExcerpt: z.string() })),
    structural: z.object({
      total: z.number().int(),
      done: z.number().int(),
      open: z.number().int(),
      overdue: z.number().int(),
      pastThirtyDayCheck: z.number().int(),
      items: z.array(
        z.object({
          id: z.string(),
          title: z.string(),
          problemCategory: z.string(),
          owner: z.string().nullable(),
          dueDate: z.string().nullable(),
          status: z.enum(['open', 'in_progress', 'done', 'wont_do']),
          overdue: z.boolean(),
          pastThirtyDayCheck: z.boolean(),
          incident: ref,
        }),
      ),
    }),
  })
  .meta({ id: 'PatternReview' });
