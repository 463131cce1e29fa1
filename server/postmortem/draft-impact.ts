/**
 * The Impact section's facts: severity, services, the lifecycle times and the
 * durations between them. A missing time says "not recorded" rather than
 * guessing; the customer-impact line is left for a human to fill in.
 */
import type { Incident } from '../incidents/repo.ts';
import { severityLabel } from '../incidents/severity.ts';
import { formatDuration, formatUtcDateTime } from '../shared/update-template.ts';

const NOT_RECORDED = 'not recorded';

export const formatTime = (date: Date | null) => (date ? formatUtcDateTime(date) : NOT_RECORDED);

/** "12 min", or "not recorded" when either end is missing (or the clock ran backwards). */
export function durationBetween(from: Date | null, to: Date | null): string {
  if (!from || !to || to.getTime() < from.getTime()) return NOT_RECORDED;
  return formatDuration(to.getTime() - from.getTime());
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
    `- **Time to detect:** ${durationBetween(startedAt, detectedAt)}`,
    `- **Time to mitigate:** ${durationBetween(startedAt, mitigatedAt)}`,
    `- **Time to resolve:** ${durationBetween(startedAt, resolvedAt)}`,
    '',
    CUSTOMER_IMPACT_LINE,
  ].join('\n');
}
