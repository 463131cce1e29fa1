/**
 * Calendar buckets for the metrics: ISO weeks (Monday 00:00 UTC, numbered by
 * ISO week-year, so Monday 29 Dec 2025 starts 2026-W01), calendar months and
 * quarters, all in UTC so a figure does not change with the reader's time zone.
 */
import { formatUtcDay, MONTHS } from '../shared/utc-format.ts';
import type { Period } from '../shared/metric-points.ts';

export { PERIODS, type Period } from '../shared/metric-points.ts';

export interface Bucket {
  /** "2026-W14", "2026-03" or "2026-Q1". */
  key: string;
  /** Human label, e.g. "30 Mar 2026" (week of), "Mar 2026", "Q1 2026". */
  label: string;
  start: Date;
  /** Exclusive. */
  end: Date;
}

const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

function startOfIsoWeek(date: Date): Date {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(day - weekday * DAY);
}

/** ISO 8601 week-year and week number: the week belongs to the year of its Thursday. */
export function isoWeek(date: Date): { year: number; week: number } {
  const thursday = new Date(startOfIsoWeek(date).getTime() + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return { year, week };
}

export function bucketOf(date: Date, period: Period): Bucket {
  if (period === 'week') {
    const start = startOfIsoWeek(date);
    const { year, week } = isoWeek(date);
    return {
      key: `${year}-W${pad(week)}`,
      label: formatUtcDay(start),
      start,
      end: new Date(start.getTime() + 7 * DAY),
    };
  }
  const year = date.getUTCFullYear();
  if (period === 'month') {
    const month = date.getUTCMonth();
    return { key: `${year}-${pad(month + 1)}`, label: `${MONTHS[month]} ${year}`, start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
  }
  const quarter = Math.floor(date.getUTCMonth() / 3);
  return {
    key: `${year}-Q${quarter + 1}`,
    label: `Q${quarter + 1} ${year}`,
    start: new Date(Date.UTC(year, quarter * 3, 1)),
    end: new Date(Date.UTC(year, quarter * 3 + 3, 1)),
  };
}

/** Every bucket touching [from, to), in order; empty buckets included so charts show quiet weeks as zero. */
export function bucketsBetween(from: Date, to: Date, period: Period): Bucket[] {
  const buckets: Bucket[] = [];
  for (let bucket = bucketOf(from, period); bucket.start < to; bucket = bucketOf(bucket.end, period)) buckets.push(bucket);
  return buckets;
}

/** "2026-Q3" → that quarter's bucket, or null when it is not a quarter. */
export function parseQuarter(value: string): Bucket | null {
  const match = /^(\d{4})-Q([1-4])$/.exec(value);
  if (!match) return null;
  return bucketOf(new Date(Date.UTC(Number(match[1]), (Number(match[2]) - 1) * 3, 1)), 'quarter');
}
