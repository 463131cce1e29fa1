/**
 * What every incident command runs inside: one transaction holding the
 * incident's row lock (two commanders clicking at once serialise), the
 * actor's permissions, typed refusals that roll everything back, and the
 * events the command recorded. Expected refusals are returned as typed
 * failures, never thrown at the caller.
 */
import type { Actor } from '../auth/actor.ts';
import type { Sql } from '../db/sql.ts';
import { fail, Refusal, type Failure } from '../shared/failure.ts';
import { recordEvent, type EventChange, type IncidentEvent, type Named } from './events.ts';
import { permissionsFor, standingOf, type Permissions } from './permissions.ts';
import { findIncidentById, listParticipants, lockIncident, updateIncident, upsertParticipant, type Incident, type Participant } from './repo.ts';

export type { Actor };

export interface CommandSuccess {
  ok: true;
  incident: Incident;
  participants: Participant[];
  /** Events written by this command, in order (empty when nothing changed). */
  events: IncidentEvent[];
}

export type CommandResult = CommandSuccess | Failure;

export const refuse = (status: 400 | 403 | 404 | 409, code: string, message: string, field?: string) => new Refusal(fail(status, code, message, field));

export const NOT_FOUND = () => refuse(404, 'not_found', 'No such incident.');

export function onlyCommander(incident: Incident, what: string): Refusal {
  const name = incident.roles.commander?.displayName;
  return refuse(403, 'forbidden', `Only the incident commander${name ? ` (${name})` : ''} or an admin can ${what}.`);
}

/**
 * A closed incident is the record the metrics and the postmortem are built
 * from: nothing about it changes until someone with command reopens it.
 */
export function refuseIfClosed(incident: Incident, what: string): void {
  if (incident.state !== 'closed') return;
  throw refuse(409, 'incident_closed', `This incident is closed, so you cannot ${what}. Reopen it first if the record is wrong.`);
}

// Timestamps a little ahead of the server clock are tolerated (clock skew), hours ahead are typos.
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
export function checkPast(value: Date | null | undefined, field: string, now: Date): void {
  if (value && value.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw refuse(400, 'invalid_input', `${field}: must not be in the future`, field);
  }
}

export interface CommandContext {
  tx: Sql;
  actor: Actor;
  by: Named;
  now: Date;
  incident: Incident;
  participants: Participant[];
  can: Permissions;
  record(change: EventChange): Promise<void>;
  /** Makes the person a responder (role holders always are), recording the change. */
  ensureResponder(user: Named): Promise<void>;
  /**
   * The actor took the incident (joined as a responder, claimed a role,
   * commanded it, or pressed Acknowledge): the first such person, acting by
   * hand, acknowledges it.
   */
  take(): Promise<void>;
}

export async function run(sql: Sql, body: (tx: Sql, events: IncidentEvent[]) => Promise<string | null>): Promise<CommandResult> {
  try {
    return await sql.begin(async (tx): Promise<CommandResult> => {
      const events: IncidentEvent[] = [];
      const id = await body(tx, events);
      if (!id) throw NOT_FOUND();
      const incident = await findIncidentById(tx, id);
      if (!incident) throw NOT_FOUND();
      return { ok: true, incident, participants: await listParticipants(tx, id), events };
    });
  } catch (error) {
    if (error instanceof Refusal) return error.failure;
    throw error;
  }
}

/** Whether the actor is a person acting by hand: API tokens and service accounts never acknowledge. */
export async function actsByHand(tx: Sql, actor: Actor): Promise<boolean> {
  if (actor.automated) return false;
  const [row] = await tx<{ kind: string }>`select kind from users where id = ${actor.id}`;
  return row?.kind === 'person';
}

/** Locks incident `number`, hides it from those who may not see it, and runs `fn` with the context. */
export function onIncident(sql: Sql, actor: Actor, number: number, fn: (ctx: CommandContext) => Promise<void>): Promise<CommandResult> {
  return run(sql, async (tx, events) => {
    const id = await lockIncident(tx, number);
    if (!id) return null;
    const incident = await findIncidentById(tx, id);
    if (!incident) return null;
    const participants = await listParticipants(tx, id);
    const can = permissionsFor(standingOf(actor, incident, participants.find((p) => p.id === actor.id)?.kind ?? null));
    if (can.access === 'none') return null;
    const by = { id: actor.id, name: actor.displayName };
    const now = new Date();
    let acknowledged = incident.acknowledgedAt !== null;
    const ctx: CommandContext = {
      tx, actor, by, now, incident, participants, can,
      async record(change) {
        events.push(await recordEvent(tx, id, by, change));
      },
      async ensureResponder(user) {
        const current = participants.find((p) => p.id === user.id)?.kind ?? null;
        if (current === 'responder') return;
        await upsertParticipant(tx, { incidentId: id, userId: user.id, kind: 'responder', addedBy: actor.id, at: now });
        await ctx.record({ kind: 'participant', user, from: current, to: 'responder' });
      },
      async take() {
        if (acknowledged || incident.state === 'closed' || !(await actsByHand(tx, actor))) return;
        acknowledged = true;
        await updateIncident(tx, id, { acknowledgedAt: now });
        await ctx.record({ kind: 'acknowledged' });
      },
    };
    await fn(ctx);
    return id;
  });
}
