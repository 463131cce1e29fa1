/**
 * Where a new (or re-opened) firing alert goes: attached to an open incident on
 * its service, into an incident a declare rule opens (one per rule and group),
 * or the inbox. Runs inside the transaction that stored the alert, so a crash
 * leaves the alert unrouted in the inbox rather than half-attached.
 */
import type { Sql } from '../db/sql.ts';
import { declareIncident, type Actor } from '../incidents/commands.ts';
import type { Failure } from '../shared/failure.ts';
import { recordEvent, type DetailChange, type IncidentEvent } from '../incidents/events.ts';
import { milestonesAfterAlert } from '../shared/milestones.ts';
import { updateIncident } from '../incidents/repo.ts';
import type { Severity } from '../shared/severity.ts';
import { linkAlert, type StoredAlert } from './repo.ts';
import type { AlertRule } from './rules.ts';

/** An incident an alert landed in, with what the war room must be told after the commit. */
export interface Landing {
  incident: { id: string; number: number; docId: string };
  /** Incident events written (declaration, milestones the alert moved). */
  events: IncidentEvent[];
}

export type Routed = { kind: 'inbox' } | ({ kind: 'attached' | 'declared' } & Landing);

interface OpenIncidentRow {
  id: string;
  number: number;
  doc_id: string;
}

const ENDED = ['resolved', 'closed'];

/**
 * Newest open, non-drill, non-private incident on the service. Drills never
 * collect real alerts. Private incidents never collect them by rule either:
 * whoever can post an alert could otherwise learn, from where it landed, that
 * a private incident is open on a service; their participants attach alerts
 * from the inbox by hand.
 */
async function openIncidentOnService(tx: Sql, service: string): Promise<OpenIncidentRow | null> {
  const [row] = await tx<OpenIncidentRow>`
    select id, number, doc_id from incidents
    where ${service} = any(services) and not drill and not private and state <> all(${ENDED}::text[])
    order by declared_at desc, number desc limit 1`;
  return row ?? null;
}

async function openIncidentOfGroup(tx: Sql, ruleId: string, groupKey: string): Promise<OpenIncidentRow | null> {
  const [row] = await tx<OpenIncidentRow>`
    select i.id, i.number, i.doc_id
    from alert_declarations d join incidents i on i.id = d.incident_id
    where d.rule_id = ${ruleId} and d.group_key = ${groupKey} and i.state <> all(${ENDED}::text[])
    order by i.declared_at desc, i.number desc limit 1`;
  return row ?? null;
}

/**
 * Links the alert and moves the milestones it proves (milestones.ts): an
 * alert that fired before the declaration moves detection to its start when
 * that is earlier, and the start of impact too when it fired before it. A
 * details event by the system records old and new, like a commander's edit.
 */
export async function attachAlert(tx: Sql, incidentId: string, alert: StoredAlert, ruleId: string | null, now = new Date()): Promise<Landing> {
  const [incident] = await tx<OpenIncidentRow & { started_at: Date; detected_at: Date | null; declared_at: Date }>`
    select id, number, doc_id, started_at, detected_at, declared_at from incidents where id = ${incidentId} for update`;
  await linkAlert(tx, alert.id, incident.id, ruleId, now);
  const events: IncidentEvent[] = [];
  // A start in the future (sender clock skew) is not a detection time.
  const startsAt = alert.startsAt.getTime() > now.getTime() ? now : alert.startsAt;
  const moved = milestonesAfterAlert({ startedAt: incident.started_at, detectedAt: incident.detected_at, declaredAt: incident.declared_at }, startsAt);
  const changes: DetailChange[] = [];
  if (moved.startedAt) changes.push({ field: 'startedAt', from: incident.started_at.toISOString(), to: moved.startedAt.toISOString() });
  if (moved.detectedAt) changes.push({ field: 'detectedAt', from: incident.detected_at?.toISOString() ?? null, to: moved.detectedAt.toISOString() });
  if (changes.length > 0) {
    await updateIncident(tx, incident.id, moved);
    events.push(await recordEvent(tx, incident.id, null, { kind: 'details', changes }));
  }
  return { incident: { id: incident.id, number: incident.number, docId: incident.doc_id }, events };
}

/** Declares through the same command as a person would, so roles, events and the war room are all there. */
export async function declareFromAlert(
  tx: Sql,
  actor: Actor,
  alert: StoredAlert,
  input: { severity: Severity; title?: string; summary?: string; private?: boolean },
  ruleId: string | null = null,
  now = new Date(),
): Promise<{ ok: true; landing: Landing } | Failure> {
  const startsAt = alert.startsAt.getTime() > now.getTime() ? now : alert.startsAt;
  const result = await declareIncident(tx, actor, {
    title: (input.title ?? (alert.summary || alert.name)).slice(0, 200),
    severity: input.severity,
    summary: input.summary ?? (alert.summary && alert.summary !== alert.name ? `${alert.name}: ${alert.summary}` : ''),
    services: alert.service ? [alert.service] : [],
    private: input.private ?? false,
    startedAt: startsAt,
    detectedAt: startsAt,
  });
  if (!result.ok) return result;
  await linkAlert(tx, alert.id, result.incident.id, ruleId, now);
  return { ok: true, landing: { incident: { id: result.incident.id, number: result.incident.number, docId: result.incident.docId }, events: result.events } };
}

export async function routeAlert(tx: Sql, actor: Actor, rule: AlertRule | null, alert: StoredAlert): Promise<Routed> {
  if (!rule || rule.action === 'inbox') return { kind: 'inbox' };
  if (rule.action === 'attach') {
    const open = alert.service ? await openIncidentOnService(tx, alert.service) : null;
    // Nothing open on the service: a human decides from the inbox.
    if (!open) return { kind: 'inbox' };
    return { kind: 'attached', ...(await attachAlert(tx, open.id, alert, rule.id)) };
  }
  // One incident per rule and group, however many deliveries race: the lock makes
  // the check-then-declare below a critical section across connections.
  await tx`select pg_advisory_xact_lock(hashtext(${`warroom.alerts.declare:${rule.id}:${alert.groupKey}`}))`;
  const existing = await openIncidentOfGroup(tx, rule.id, alert.groupKey);
  if (existing) return { kind: 'attached', ...(await attachAlert(tx, existing.id, alert, rule.id)) };
  // A rule declaring is a machine noticing, whoever posted the alert: a person still has to take it.
  const declared = await declareFromAlert(tx, { ...actor, automated: true }, alert, { severity: rule.severity ?? 3 }, rule.id);
  // declareIncident refuses only bad input, which an alert cannot produce (times are clamped above).
  if (!declared.ok) throw new Error(`auto-declare refused: ${declared.code} ${declared.message}`);
  await tx`insert into alert_declarations (incident_id, rule_id, group_key) values (${declared.landing.incident.id}, ${rule.id}, ${alert.groupKey})`;
  return { kind: 'declared', ...declared.landing };
}
