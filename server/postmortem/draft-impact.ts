/**
 * The Impact section's facts: severity, services, the lifecycle times and the
 * durations between them. A missing time says "not recorded" rather than
 * guessing; the customer-impact line is left for a human to fill in.
 */
import type { Incident } from '../incidents/repo.ts';
import { severityLabel } from '../shared/severity.ts';
import { durationBetween, formatDuration } from '../shared/duration.ts';
import { formatUtcDateTime } from '../shared/utc-format.ts';

const NOT_RECORDED = 'not recorded';

export const formatTime = (date: Date | null) => (date ? formatUtcDateTime(date) : NOT_RECORDED);

/** "12 min 5 s", or "not recorded" when either end is missing (or the clock ran backwards), as /metrics leaves it out. */
export function durationText(from: Date | null, to: Date | null): string {
  const ms = durationBetween(from, to);
  return ms === null ? NOT_RECORDED : formatDuration(ms);
}

export const CUSTOMER_IMPACT_LINE = '**Customer impact:** ';

export type ImpactFacts = Pick<
  Incident,
  'severity' | 'services' | 'startedAt' | 'detectedAt' | 'acknowledgedAt' | 'mitigatedAt' | 'resolvedAt'
>;

export function impactSection(incident: ImpactFacts): string {
  const { startedAt, detectedAt, acknowledgedAt, mitigatedAt, resolvedAt } = incident;
  return [
    `- **Severity:** ${severityLabel(incident.severity)}`,
    `- **Affected services:** ${incident.services.length > 0 ? incident.services.join(', ') : NOT_RECORDED}`,
    `- **Started:** ${formatTime(startedAt)}`,
    `- **Detected:** ${formatTime(detectedAt)}`,
    `- **Acknowledged:** ${formatTime(acknowledgedAt)}`,
    `- **Mitigated:** ${formatTime(mitigatedAt)}`,
    `- **Resolved:** ${formatTime(resolvedAt)}`,
    `- **Time to detect:** ${durationText(startedAt, detectedAt)}`,
    `- **Time to mitigate:** ${durationText(startedAt, mitigatedAt)}`,
    `- **Time to resolve:** ${durationText(startedAt, resolvedAt)}`,
    '',
    CUSTOMER_IMPACT_LINE,
  ].join('\n');
}
