/**
 * The metrics' underlying rows as CSV (RFC 4180): one row per counted
 * incident with the durations the charts were computed from, so anyone can
 * check a median in a spreadsheet. `recurrence` is true, false or empty (not
 * recorded), next to the factor categories it was classified by.
 */
import { incidentDurations, recurrenceTest, type PublishedPostmortem } from './definitions.ts';
import { bucketOf, type Period } from './periods.ts';
import type { IncidentRecord } from './repo.ts';

/**
 * Quotes a cell when it holds a quote, comma or line break, doubling inner
 * quotes. A cell a spreadsheet would run as a formula (=, +, -, @, or a
 * leading tab or carriage return, per OWASP's CSV injection advice) gets a
 * leading apostrophe: titles are typed by anyone who can declare an incident.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly (string | number | boolean | null)[]) => cells.map(csvCell).join(',');

const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6_000) / 10);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const CSV_COLUMNS = [
  'incident', 'title', 'severity', 'services', 'period', 'private',
  'started_at', 'detected_at', 'declared_at', 'acknowledged_at', 'mitigated_at', 'resolved_at', 'closed_at',
  'reopened', 'postmortem_published_at', 'factor_categories', 'hypothesis_written_at',
  'time_to_detect_min', 'time_to_acknowledge_min', 'time_to_resolve_min', 'time_to_postmortem_min', 'hypothesis_to_resolve_min', 'recurrence',
] as const;

export function metricsCsv(incidents: readonly IncidentRecord[], published: readonly PublishedPostmortem[], period: Period): string {
  const lines = [CSV_COLUMNS.join(',')];
  const recurs = recurrenceTest(published);
  for (const f of incidents) {
    if (f.drill) continue;
    const d = incidentDurations(f);
    lines.push(
      csvLine([
        `INC-${f.number}`, f.title, f.severity, f.services.join(' '), bucketOf(f.startedAt, period).key, f.private,
        iso(f.startedAt), iso(f.detectedAt), iso(f.declaredAt), iso(f.acknowledgedAt), iso(f.mitigatedAt), iso(f.resolvedAt), iso(f.closedAt),
        f.reopenCount, iso(f.postmortemPublishedAt), f.postmortemCategories.join(' '), iso(f.hypothesisWrittenAt),
        // Recurrence is empty when it cannot be classified (no published postmortem naming a factor), like a missing time.
        minutes(d.timeToDetect), minutes(d.timeToAcknowledge), minutes(d.timeToResolve), minutes(d.timeToPostmortem), minutes(d.hypothesisToResolve), recurs(f),
      ]),
    );
  }
  // CRLF as RFC 4180 asks; spreadsheets accept either.
  return `${lines.join('\r\n')}\r\n`;
}
