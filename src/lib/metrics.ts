/** What /api/metrics and /api/patterns answer (dates as ISO strings), and how the pages show their numbers. */
import type { z } from 'zod';
// Relative, not $shared: the browser stories import this file outside Vite too.
import { formatDuration } from '../../server/shared/duration.ts';
import type { ActionItemPoint, DurationPoint, KindSplit, Period, RatioPoint } from '../../server/shared/metric-points.ts';
import type * as schemas from '../../server/shared/api/metrics.ts';

export type { ActionItemPoint, DurationPoint, KindSplit, Period, RatioPoint };

export type MetricsView = z.infer<typeof schemas.MetricsResponse>;
export type Bucket = MetricsView['buckets'][number];
export type MetricDefinition = MetricsView['definitions'][number];
export type DurationMetric = Exclude<keyof MetricsView['totals'], 'incidents' | 'recurrence_rate'>;

export type PatternReviewView = z.infer<typeof schemas.PatternReview>;
export type IncidentRef = PatternReviewView['recurringServices'][number]['incidents'][number];

export interface MetricsFilters {
  period: Period;
  from: string;
  to: string;
  severity: number[];
  service: string;
}

/** The query string both the JSON and the CSV routes take; empty values left out so the server's defaults apply. */
export function metricsQuery(f: MetricsFilters): string {
  const params = new URLSearchParams({ period: f.period });
  if (f.from) params.set('from', f.from);
  if (f.to) params.set('to', f.to);
  if (f.severity.length) params.set('severity', [...f.severity].sort().join(','));
  if (f.service.trim()) params.set('service', f.service.trim().toLowerCase());
  return params.toString();
}

/** A metric's duration in the one format every page uses (server/shared/duration.ts); "—" when there is none. */
export const formatMs = (ms: number | null): string => (ms === null ? '—' : formatDuration(ms));

export const formatRate = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);

/** Axis label for a bucket: "2 Mar" for a week, "Mar 26" for a month, "Q1 26" for a quarter. */
export function shortLabel(bucket: Bucket, period: Period): string {
  const parts = bucket.label.split(' ');
  if (period === 'week') return `${parts[0]} ${parts[1]}`;
  return `${parts[0]} ’${parts[parts.length - 1].slice(2)}`;
}

export const FACTOR_LABELS: Record<string, string> = {
  technical: 'Technical',
  process: 'Process',
  human_factors: 'Human factors',
  tooling: 'Tooling',
};

export const STATUS_LABELS: Record<string, string> = { open: 'Open', in_progress: 'In progress', done: 'Done', wont_do: 'Won’t do' };

/** "2026-Q3" for the quarter holding `date` (UTC), and its neighbours. */
export function quarterOf(date: Date): string {
  return `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
}
export function shiftQuarter(quarter: string, by: number): string {
  const [year, q] = quarter.split('-Q').map(Number);
  const index = year * 4 + (q - 1) + by;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
}
