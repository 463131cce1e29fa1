/**
 * The small JSON form for senders that are not Alertmanager (a script, a
 * Grafana contact point, another pager): one alert per request.
 */
import { z } from 'zod';
import { safeUrl, serviceOf, type IncomingAlert } from './incoming.ts';

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const genericAlert = z.object({
  source: text(60).regex(/^[\w.-]+$/, 'must be a word like grafana or datadog').transform((s) => s.toLowerCase()),
  fingerprint: text(200),
  summary: text(2000),
  severity: text(40).optional(),
  service: text(60).optional(),
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }).default('firing'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2000).optional(),
  startsAt: z.iso.datetime({ offset: true, error: 'must be an ISO date-time like 2026-03-01T14:05:00Z' }).optional(),
  labels: z.record(z.string().max(100), z.string().max(500)).optional(),
});
export type GenericAlert = z.infer<typeof genericAlert>;

export function fromGeneric(body: GenericAlert, now = new Date()): IncomingAlert {
  // The named fields win over free labels, so rules on severity/service see what the sender meant.
  const labels: Record<string, string> = { ...body.labels, source: body.source };
  if (body.severity) labels.severity = body.severity;
  if (body.service) labels.service = body.service;
  const service = serviceOf(labels);
  return {
    source: body.source,
    fingerprint: body.fingerprint,
    status: body.status,
    name: labels.alertname?.trim() || body.summary.slice(0, 200),
    summary: body.summary,
    severity: body.severity ?? null,
    service,
    labels,
    url: safeUrl(body.url),
    // Generic senders have no groups: one declared incident per source and service.
    groupKey: `${body.source}:${service ?? `fingerprint:${body.fingerprint}`}`,
    startsAt: body.startsAt ? new Date(body.startsAt) : now,
    endsAt: null,
  };
}
