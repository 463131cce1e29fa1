/** What /api/metrics and /api/patterns answer (dates as ISO strings), and how the pages show their numbers. */

export type Period = 'week' | 'month' | 'quarter';

export interface Bucket {
  key: string;
  label: string;
  start: string;
  end: string;
}
export interface DurationPoint {
  median: number | null;
  p90: number | null;
  measured: number;
  notRecorded: number;
}
export interface RatioPoint {
  recurring: number;
  /** Incidents that could be classified: the rate's denominator. */
  measured: number;
  notRecorded: number;
  rate: number | null;
}
export interface KindSplit {
  immediate: number;
  structural: number;
}
export interface ActionItemPoint {
  created: KindSplit;
  done: KindSplit;
  overdue: KindSplit;
}
export interface MetricDefinition {
  id: string;
  name: string;
  unit: string;
  definition: string;
}
export type DurationMetric = 'mttd' | 'mtta' | 'mttr' | 'time_to_postmortem';

export interface MetricsView {
  period: Period;
  from: string;
  to: string;
  filters: { severity: number[] | null; service: string | null };
  buckets: Bucket[];
  definitions: MetricDefinition[];
  series: {
    incident_count: number[];
    recurrence_rate: RatioPoint[];
    action_items: ActionItemPoint[];
  } & Record<DurationMetric, DurationPoint[]>;
  totals: { incidents: number; recurrence_rate: RatioPoint } & Record<DurationMetric, DurationPoint>;
}

export interface IncidentRef {
  ref: string;
  title: string;
  severity: number;
  startedAt: string;
}
export interface PatternReviewView {
  quarter: Bucket;
  incidentCount: number;
  factors: { category: string; count: number; services: { service: string; count: number; factors: { incident: IncidentRef; description: string }[] }[] }[];
  recurringServices: { service: string; incidents: IncidentRef[] }[];
  detectionGaps: { incident: IncidentRef; timeToDetect: number | null; detectionExcerpt: string }[];
  structural: {
    total: number;
    done: number;
    open: number;
    overdue: number;
    pastThirtyDayCheck: number;
    items: {
      id: string;
      title: string;
      problemCategory: string;
      owner: string | null;
      dueDate: string | null;
      status: 'open' | 'in_progress' | 'done' | 'wont_do';
      overdue: boolean;
      pastThirtyDayCheck: boolean;
      incident: IncidentRef;
    }[];
  };
}

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

/** "12 min", "3.5 h", "2.1 d": one decimal at most, in the largest unit that keeps the number readable. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = ms / 60_000;
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  if (minutes < 90) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${Math.round(hours * 10) / 10} h`;
  return `${Math.round((hours / 24) * 10) / 10} d`;
}

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
