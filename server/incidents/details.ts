/**
 * The commander's corrections: title, summary, services, privacy, and every
 * milestone time. Each correction is recorded with its old and new value, and
 * times must keep the order milestones.ts defines, so no page ever has to
 * show a duration that runs backwards.
 */
import type { Sql } from '../db/sql.ts';
import { formatUtcDateTime } from '../shared/utc-format.ts';
import { checkPast, onIncident, onlyCommander, refuse, refuseIfClosed, type Actor, type CommandResult } from './command-context.ts';
import { normalizeServices } from './commands.ts';
import type { DetailChange } from './events.ts';
import { checkMilestoneOrder, MILESTONE_FIELDS, type MilestoneField, type Milestones } from '../shared/milestones.ts';
import type { IncidentChanges } from './repo.ts';
import { updateIncident } from './repo.ts';

export interface DetailsPatch {
  title?: string;
  summary?: string;
  services?: string[];
  private?: boolean;
  startedAt?: Date;
  detectedAt?: Date | null;
  acknowledgedAt?: Date;
  mitigatedAt?: Date;
  resolvedAt?: Date;
}

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** Which milestones may be corrected now, and why not otherwise: a time the lifecycle has not reached yet has nothing to correct. */
function refuseUnreached(field: MilestoneField, current: Milestones, state: string): void {
  if (field === 'mitigatedAt' && !current.mitigatedAt) {
    throw refuse(409, 'not_reached', 'mitigatedAt: the incident has not been mitigated yet. Move it to monitoring (or resolve it) first.', field);
  }
  if (field === 'resolvedAt' && (!current.resolvedAt || state !== 'resolved')) {
    throw refuse(409, 'not_reached', 'resolvedAt: the incident is not resolved. Resolve it first.', field);
  }
}

export function updateDetails(sql: Sql, actor: Actor, number: number, patch: DetailsPatch): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, can, now, record, take }) => {
    if (!can.canCommand) throw onlyCommander(incident, 'edit the incident details');
    refuseIfClosed(incident, 'edit its details or times');
    const changes: IncidentChanges = {};
    const details: DetailChange[] = [];
    if (patch.summary !== undefined && patch.summary !== incident.summary) {
      changes.summary = patch.summary;
      details.push({ field: 'summary', from: incident.summary, to: patch.summary });
    }
    if (patch.services !== undefined) {
      const services = normalizeServices(patch.services);
      if (services.join('\n') !== incident.services.join('\n')) {
        changes.services = services;
        details.push({ field: 'services', from: incident.services, to: services });
      }
    }
    if (patch.private !== undefined && patch.private !== incident.private) {
      changes.private = patch.private;
      details.push({ field: 'private', from: incident.private, to: patch.private });
    }

    const times: Milestones = { ...incident };
    const corrected: MilestoneField[] = [];
    for (const field of MILESTONE_FIELDS) {
      const value = patch[field];
      if (value === undefined || iso(value) === iso(incident[field])) continue;
      checkPast(value, field, now);
      refuseUnreached(field, incident, incident.state);
      corrected.push(field);
      (times as unknown as Record<MilestoneField, Date | null>)[field] = value;
      (changes as Record<MilestoneField, Date | null>)[field] = value;
      details.push({ field, from: iso(incident[field]), to: iso(value) });
    }
    const problem = checkMilestoneOrder(times, corrected, formatUtcDateTime);
    if (problem) throw refuse(400, 'invalid_input', problem.message, problem.field);

    const retitled = patch.title !== undefined && patch.title !== incident.title;
    if (retitled) changes.title = patch.title;
    if (!retitled && details.length === 0) return;
    // A backfilled acknowledgement is the acknowledgement; editing is otherwise taking the incident.
    if (!corrected.includes('acknowledgedAt')) await take();
    await updateIncident(tx, incident.id, changes);
    if (retitled) await record({ kind: 'title', from: incident.title, to: patch.title! });
    if (details.length > 0) await record({ kind: 'details', changes: details });
  });
}
