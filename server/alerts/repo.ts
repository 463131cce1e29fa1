/**
 * SQL for alerts. Dedup is one statement: insert, or on the same (source,
 * fingerprint) update the row in place, so concurrent deliveries of one alert
 * can never make two rows.
 *
 * Status rules (decided here, shown in the README):
 * - a firing repeat counts: count + 1, last_seen_at = now;
 * - a resolved notification closes the alert (resolved_at = its endsAt, or now) without counting;
 * - a firing notification after resolved re-opens the same row (a new episode:
 *   starts_at moves to the new start, count + 1) and the alert is routed again.
 */
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import type { AlertStatus, IncomingAlert } from './incoming.ts';

/** An alert as stored: what arrived (the latest notification) plus what dedup and routing added. */
export interface StoredAlert extends IncomingAlert {
  id: string;
  count: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  /** The incident it is in now (null: in the inbox). */
  incidentId: string | null;
}

interface AlertRow {
  id: string;
  source: string;
  fingerprint: string;
  status: AlertStatus;
  name: string;
  summary: string;
  severity: string | null;
  service: string | null;
  labels: Record<string, string>;
  url: string | null;
  group_key: string;
  starts_at: Date;
  ends_at: Date | null;
  count: number;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
  incident_id: string | null;
}

const toAlert = (r: AlertRow): StoredAlert => ({
  id: r.id,
  source: r.source,
  fingerprint: r.fingerprint,
  status: r.status,
  name: r.name,
  summary: r.summary,
  severity: r.severity,
  service: r.service,
  labels: r.labels,
  url: r.url,
  groupKey: r.group_key,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  count: r.count,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  resolvedAt: r.resolved_at,
  incidentId: r.incident_id,
});

export type UpsertOutcome = 'created' | 'repeated' | 'reopened' | 'resolved' | 'unchanged';

/** Stores one notification; the outcome says whether routing should look at it. */
export async function upsertAlert(sql: Sql, alert: IncomingAlert, now = new Date()): Promise<{ alert: StoredAlert; outcome: UpsertOutcome }> {
  const firing = alert.status === 'firing';
  const resolvedAt = firing ? null : (alert.endsAt ?? now);
  const [row] = await sql<AlertRow & { was_status: AlertStatus | null }>`
    insert into alerts as a (id, source, fingerprint, status, name, summary, severity, service, labels, url, group_key,
                             starts_at, ends_at, count, first_seen_at, last_seen_at, resolved_at)
    values (${generateSecureRandomString()}, ${alert.source}, ${alert.fingerprint}, ${alert.status}, ${alert.name},
            ${alert.summary}, ${alert.severity}, ${alert.service}, ${alert.labels}::jsonb, ${alert.url}, ${alert.groupKey},
            ${alert.startsAt}, ${alert.endsAt}, ${firing ? 1 : 0}, ${now}, ${now}, ${resolvedAt})
    on conflict (source, fingerprint) do update set
      status = excluded.status,
      name = excluded.name,
      summary = excluded.summary,
      severity = excluded.severity,
      service = excluded.service,
      labels = excluded.labels,
      url = coalesce(excluded.url, a.url),
      group_key = excluded.group_key,
      starts_at = case when a.status = 'resolved' and excluded.status = 'firing' then excluded.starts_at else a.starts_at end,
      ends_at = excluded.ends_at,
      count = a.count + case when excluded.status = 'firing' then 1 else 0 end,
      last_seen_at = excluded.last_seen_at,
      resolved_at = case when excluded.status = 'firing' then null else coalesce(a.resolved_at, excluded.resolved_at) end
    -- The pre-update status comes from a subquery on the old snapshot; xmax = 0 marks a fresh insert.
    returning a.*, (a.xmax = 0) as inserted,
      (select o.status from alerts o where o.id = a.id) as was_status`;
  const stored = toAlert(row);
  const inserted = (row as unknown as { inserted: boolean }).inserted;
  if (inserted) return { alert: stored, outcome: 'created' };
  const was = row.was_status;
  if (firing) return { alert: stored, outcome: was === 'resolved' ? 'reopened' : 'repeated' };
  return { alert: stored, outcome: was === 'firing' ? 'resolved' : 'unchanged' };
}

export async function linkAlert(sql: Sql, alertId: string, incidentId: string, ruleId: string | null, now = new Date()): Promise<void> {
  await sql`update alerts set incident_id = ${incidentId} where id = ${alertId}`;
  await sql`
    insert into alert_incidents (alert_id, incident_id, rule_id, attached_at) values (${alertId}, ${incidentId}, ${ruleId}, ${now})
    on conflict (alert_id, incident_id) do nothing`;
}

export async function findAlert(sql: Sql, id: string): Promise<StoredAlert | null> {
  const [row] = await sql<AlertRow>`select * from alerts where id = ${id}`;
  return row ? toAlert(row) : null;
}

/** Firing alerts nobody has taken to an incident yet, most recently seen first. */
export async function listInbox(sql: Sql, limit = 200): Promise<StoredAlert[]> {
  const rows = await sql<AlertRow>`
    select * from alerts where incident_id is null and status = 'firing'
    order by last_seen_at desc, id limit ${limit}`;
  return rows.map(toAlert);
}

/** Every alert that was ever in the incident, with when it arrived there. */
export async function listIncidentAlerts(sql: Sql, incidentId: string): Promise<(StoredAlert & { attachedAt: Date })[]> {
  const rows = await sql<AlertRow & { attached_at: Date }>`
    select a.*, l.attached_at from alert_incidents l join alerts a on a.id = l.alert_id
    where l.incident_id = ${incidentId} order by a.starts_at, a.first_seen_at, a.id`;
  return rows.map((r) => ({ ...toAlert(r), attachedAt: r.attached_at }));
}
