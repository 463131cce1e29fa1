/**
 * An alert as it arrived, whatever sent it: the one shape the Alertmanager
 * and generic parsers produce and everything downstream (rules, storage,
 * routing) consumes.
 */
export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface IncomingAlert {
  /** 'alertmanager' or the generic form's source; with the fingerprint, the dedup key. */
  source: string;
  fingerprint: string;
  status: AlertStatus;
  /** alertname, or the generic summary when there is no name. */
  name: string;
  summary: string;
  severity: string | null;
  /** Lowercased, like incident services, so "Payments" attaches to an incident on "payments". */
  service: string | null;
  /** What routing rules match on. */
  labels: Record<string, string>;
  /** Where the alert came from (Prometheus graph, Grafana panel…); http(s) only. */
  url: string | null;
  groupKey: string;
  startsAt: Date;
  endsAt: Date | null;
}

/** Most monitoring systems label the service; incidents store services lowercased. */
export function serviceOf(labels: Record<string, string>): string | null {
  const service = labels.service?.trim().toLowerCase();
  return service ? service.slice(0, 60) : null;
}

export const MAX_ALERTS_PER_PAYLOAD = 1000;

// Links end up as clickable hrefs in the war room: the one allow-list decides.
export { safeUrl } from '../shared/safe-url.ts';
