/**
 * What the war room's runbook panel shows: runbooks for the incident's
 * services, and, once it is resolved, the ask to write down what worked
 * while it is fresh (seed 000/002) — addressed to whoever resolved it, and
 * shown to everyone who worked it. The ask stops once a runbook is verified
 * in this incident, or a month after it was resolved.
 */
import type { Sql } from '../db/sql.ts';
import type { PersonRef } from '../incidents/repo.ts';
import type { IncidentStanding } from '../incidents/visibility.ts';
import { listRunbooks, type Runbook } from './repo.ts';
import { runbookDraftFor } from './template.ts';

export interface RunbookPrompt {
  /** Who moved the incident to resolved most recently (null if the record has no such event). */
  resolvedBy: PersonRef | null;
  /** The viewer is that person. */
  isResolver: boolean;
  /** Prefill for "create a new runbook" from this incident. */
  draft: ReturnType<typeof runbookDraftFor>;
}

export interface IncidentRunbooks {
  runbooks: Runbook[];
  prompt: RunbookPrompt | null;
}

const PROMPT_DAYS = 30;

async function verifiedIn(sql: Sql, incidentId: string): Promise<boolean> {
  return (await sql`select 1 from runbook_uses where incident_id = ${incidentId} and kind = 'verified' limit 1`).length > 0;
}

async function findResolver(sql: Sql, incidentId: string): Promise<PersonRef | null> {
  const [row] = await sql<{ id: string; display_name: string }>`
    select u.id, u.display_name from incident_events e join users u on u.id = e.actor_id
    where e.incident_id = ${incidentId} and e.kind = 'state' and e.data->>'to' = 'resolved'
    order by e.id desc limit 1`;
  return row ? { id: row.id, displayName: row.display_name } : null;
}

export async function runbooksForIncident(sql: Sql, viewer: { id: string; isAdmin: boolean }, seen: IncidentStanding): Promise<IncidentRunbooks> {
  const { incident, standing } = seen;
  const runbooks = incident.services.length ? await listRunbooks(sql, viewer, { services: incident.services }) : [];
  if (incident.state !== 'resolved' && incident.state !== 'closed') return { runbooks, prompt: null };
  // "While it's fresh": a month on, the memory is gone and the ask is noise. Once a runbook is verified here, it has been answered.
  const resolvedAt = incident.resolvedAt ?? incident.closedAt;
  if (resolvedAt && Date.now() - resolvedAt.getTime() > PROMPT_DAYS * 86_400_000) return { runbooks, prompt: null };
  if (await verifiedIn(sql, incident.id)) return { runbooks, prompt: null };
  const resolvedBy = await findResolver(sql, incident.id);
  const isResolver = resolvedBy?.id === viewer.id;
  // A closed war room is read-only for everyone, so "had write access" is judged as if it were still open.
  const worked = standing.isAdmin || standing.kind === 'responder' || standing.roles.length > 0;
  if (!isResolver && !worked) return { runbooks, prompt: null };
  return { runbooks, prompt: { resolvedBy, isResolver, draft: runbookDraftFor(incident) } };
}
