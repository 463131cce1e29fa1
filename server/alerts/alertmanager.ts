/**
 * The Prometheus Alertmanager webhook payload (version 4), parsed as it is
 * sent: extra fields are ignored so newer Alertmanagers keep working.
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_ALERTS_PER_PAYLOAD, safeUrl, serviceOf, type IncomingAlert } from './incoming.ts';

// Alertmanager writes nanosecond fractions ("…:00.123456789Z"); Date keeps milliseconds, which is plenty.
const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an RFC 3339 date-time');
const labelSet = z.record(z.string(), z.string());

const alert = z.looseObject({
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: instant,
  endsAt: instant.optional(),
  generatorURL: z.string().optional(),
  // Sent since Alertmanager 0.19; older ones get a fingerprint computed from the labels.
  fingerprint: z.string().min(1).max(200).optional(),
});

export const alertmanagerPayload = z.looseObject({
  version: z.string().optional(),
  groupKey: z.string().max(2000).default(''),
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }),
  receiver: z.string().optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alert).max(MAX_ALERTS_PER_PAYLOAD, `at most ${MAX_ALERTS_PER_PAYLOAD} alerts per payload`),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayload>;

// Go's zero time: what Alertmanager sends as endsAt while an alert still fires.
const ZERO_TIME_YEAR = 1;

function endOf(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return date.getUTCFullYear() <= ZERO_TIME_YEAR ? null : date;
}

/** Stable over label order, like Alertmanager's own fingerprint (which is over the label set too). */
export function labelFingerprint(labels: Record<string, string>): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((key) => `${key}\u0000${labels[key]}`)
    .join('\u0001');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** One IncomingAlert per alert in the group, in payload order. */
export function fromAlertmanager(payload: AlertmanagerPayload): IncomingAlert[] {
  return payload.alerts.map((a) => {
    const name = a.labels.alertname?.trim() || 'Alert';
    const summary = (a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? '').trim();
    const fingerprint = a.fingerprint ?? labelFingerprint(a.labels);
    return {
      source: 'alertmanager',
      fingerprint,
      status: a.status,
      name: name.slice(0, 200),
      summary: summary.slice(0, 2000),
      severity: a.labels.severity ?? null,
      service: serviceOf(a.labels),
      labels: a.labels,
      url: safeUrl(a.generatorURL),
      // Without a group key (hand-written payloads) each alert is its own group.
      groupKey: payload.groupKey || `fingerprint:${fingerprint}`,
      startsAt: new Date(a.startsAt),
      endsAt: endOf(a.endsAt),
    };
  });
}
