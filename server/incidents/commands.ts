/**
 * Everything that changes an incident, except its details and times
 * (details.ts). Each command checks permissions and rules, then writes the
 * change and its event in one transaction (command-context.ts).
 */
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import { findPostmortemState } from '../postmortem/repo.ts';
import { actsByHand, checkPast, onIncident, onlyCommander, refuse, refuseIfClosed, run, type Actor, type CommandContext, type CommandResult } from './command-context.ts';
import { recordEvent, type Named } from './events.ts';
import { checkTransition, timestampsAfter, type IncidentState } from './lifecycle.ts';
import { ROLE_NAMES, type ParticipantKind, type RoleName } from './permissions.ts';
import { findActiveUser, insertIncident, ROLE_COLUMNS, updateIncident, upsertParticipant } from './repo.ts';
import { severityLabel, type Severity } from '../shared/severity.ts';
import { createWarRoomDocument, warRoomDocId } from './war-room.ts';

export type { Actor, CommandResult, CommandSuccess } from './command-context.ts';

/** Services are free tags: trimmed, lowercased, without duplicates or blanks. */
export function normalizeServices(services: readonly string[]): string[] {
  return [...new Set(services.map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0))];
}

// --- declare ----------------------------------------------------------------

export interface DeclareInput {
  title: string;
  severity: Severity;
  summary?: string;
  services?: string[];
  private?: boolean;
  drill?: boolean;
  commanderId?: string;
  startedAt?: Date;
  detectedAt?: Date;
}

/** Any signed-in user may declare; they become a responder, and commander unless they name someone. */
export function declareIncident(sql: Sql, actor: Actor, input: DeclareInput): Promise<CommandResult> {
  return run(sql, async (tx, events) => {
    const now = new Date();
    checkPast(input.startedAt, 'startedAt', now);
    checkPast(input.detectedAt, 'detectedAt', now);
    const commander = input.commanderId && input.commanderId !== actor.id ? await findActiveUser(tx, input.commanderId) : { id: actor.id, displayName: actor.displayName };
    if (!commander) throw refuse(400, 'unknown_user', 'commanderId: no active user with that id', 'commanderId');
    const id = generateSecureRandomString();
    const docId = warRoomDocId(id);
    await insertIncident(tx, {
      id,
      title: input.title,
      severity: input.severity,
      summary: input.summary ?? '',
      services: normalizeServices(input.services ?? []),
      private: input.private ?? false,
      drill: input.drill ?? false,
      declaredBy: actor.id,
      commanderId: commander.id,
      startedAt: input.startedAt ?? now,
      detectedAt: input.detectedAt ?? null,
      declaredAt: now,
      docId,
    });
    await createWarRoomDocument(tx, docId);
    // Declaring by hand is taking the incident; a script or an alert rule declaring it is not.
    const acknowledged = await actsByHand(tx, actor);
    if (acknowledged) await updateIncident(tx, id, { acknowledgedAt: now });
    await upsertParticipant(tx, { incidentId: id, userId: actor.id, kind: 'responder', addedBy: actor.id, at: now });
    if (commander.id !== actor.id) await upsertParticipant(tx, { incidentId: id, userId: commander.id, kind: 'responder', addedBy: actor.id, at: now });
    const by = { id: actor.id, name: actor.displayName };
    events.push(
      await recordEvent(tx, id, by, {
        kind: 'declared',
        title: input.title,
        severity: input.severity,
        commander: { id: commander.id, name: commander.displayName },
        private: input.private ?? false,
        drill: input.drill ?? false,
      }),
    );
    if (acknowledged) events.push(await recordEvent(tx, id, by, { kind: 'acknowledged' }));
    return id;
  });
}

// --- commander's commands ---------------------------------------------------

export function changeState(sql: Sql, actor: Actor, number: number, to: IncidentState): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, can, now, record, take }) => {
    if (!can.canCommand) throw onlyCommander(incident, 'change the state');
    const check = checkTransition(incident.state, to);
    if (!check.ok) throw refuse(409, 'invalid_transition', check.message, 'state');
    await take();
    // Reopening is for a draft postmortem; once published, the record stands as published.
    if (incident.state === 'closed' && (await findPostmortemState(tx, incident.id)) === 'published') {
      throw refuse(409, 'postmortem_published', 'The postmortem is published, so the incident cannot be reopened. Start a revision of the postmortem, or declare a new incident.', 'state');
    }
    await updateIncident(tx, incident.id, { state: to, ...timestampsAfter(incident, to, now) });
    await record({ kind: 'state', from: incident.state, to });
  });
}

export function changeSeverity(sql: Sql, actor: Actor, number: number, to: Severity): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, can, record, take }) => {
    if (!can.canCommand) throw onlyCommander(incident, 'change the severity');
    refuseIfClosed(incident, 'change its severity');
    if (incident.severity === to) throw refuse(409, 'no_change', `The incident is already ${severityLabel(to)}.`, 'severity');
    await take();
    await updateIncident(tx, incident.id, { severity: to });
    await record({ kind: 'severity', from: incident.severity, to });
  });
}

export function assignRole(sql: Sql, actor: Actor, number: number, role: RoleName, userId: string | null): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, can, record, ensureResponder, take }) => {
    if (!can.canCommand) throw onlyCommander(incident, 'assign roles');
    refuseIfClosed(incident, 'change its roles');
    if (role === 'commander' && userId === null) {
      throw refuse(400, 'commander_required', 'An incident always has a commander: hand command to someone instead.', 'userId');
    }
    const current = incident.roles[role];
    if ((current?.id ?? null) === userId) {
      throw refuse(409, 'no_change', current ? `${current.displayName} is already the ${role}.` : `Nobody is the ${role}.`, 'userId');
    }
    const target = userId ? await findActiveUser(tx, userId) : null;
    if (userId && !target) throw refuse(400, 'unknown_user', 'userId: no active user with that id', 'userId');
    const to = target ? { id: target.id, name: target.displayName } : null;
    await take();
    if (to) await ensureResponder(to);
    await updateIncident(tx, incident.id, { [ROLE_COLUMNS[role]]: userId });
    await record({ kind: 'role', role, from: current ? { id: current.id, name: current.displayName } : null, to, claimed: false });
  });
}

/** Any participant with write access may take an empty role. */
export function claimRole(sql: Sql, actor: Actor, number: number, role: RoleName): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, participants, can, by, record, ensureResponder, take }) => {
    refuseIfClosed(incident, 'claim a role');
    if (!can.canClaim) {
      const observer = participants.some((p) => p.id === actor.id);
      throw refuse(403, 'forbidden', `${observer ? 'Observers are read-only' : 'You have not joined this incident'}: join as a responder to claim a role.`);
    }
    const holder = incident.roles[role];
    if (holder) {
      const who = holder.id === actor.id ? 'You are' : `${holder.displayName} is`;
      throw refuse(409, 'role_taken', `${who} already the ${role}. Ask the commander for a hand-off.`, 'role');
    }
    await take();
    await ensureResponder(by);
    await updateIncident(tx, incident.id, { [ROLE_COLUMNS[role]]: actor.id });
    await record({ kind: 'role', role, from: null, to: by, claimed: true });
  });
}

// --- participants -----------------------------------------------------------

async function setParticipant(ctx: CommandContext, user: Named, kind: ParticipantKind): Promise<void> {
  const { tx, incident, participants, actor, now } = ctx;
  const current = participants.find((p) => p.id === user.id)?.kind ?? null;
  if (current === kind) return;
  if (kind === 'observer') {
    const held = ROLE_NAMES.filter((role) => incident.roles[role]?.id === user.id);
    if (held.length > 0) {
      const who = user.id === actor.id ? 'You are' : `${user.name} is`;
      throw refuse(409, 'role_holder', `${who} the ${held.join(' and ')}: hand the role to someone else first. Role holders are always responders.`, 'kind');
    }
    await upsertParticipant(tx, { incidentId: incident.id, userId: user.id, kind, addedBy: actor.id, at: now });
    await ctx.record({ kind: 'participant', user, from: current, to: kind });
    return;
  }
  // Joining as a responder is taking the incident; adding someone else is commanding it.
  await ctx.take();
  await ctx.ensureResponder(user);
}

/** Opening the war room: join as a responder, or watch as an observer. Idempotent. */
export function joinIncident(sql: Sql, actor: Actor, number: number, as: ParticipantKind): Promise<CommandResult> {
  return onIncident(sql, actor, number, (ctx) => setParticipant(ctx, ctx.by, as));
}

/** Admins and the commander bring people in (the only way into a private incident). */
export function addParticipant(sql: Sql, actor: Actor, number: number, userId: string, kind: ParticipantKind): Promise<CommandResult> {
  return onIncident(sql, actor, number, async (ctx) => {
    if (!ctx.can.canAddParticipants) throw onlyCommander(ctx.incident, 'add participants');
    const user = await findActiveUser(ctx.tx, userId);
    if (!user) throw refuse(400, 'unknown_user', 'userId: no active user with that id', 'userId');
    await setParticipant(ctx, { id: user.id, name: user.displayName }, kind);
  });
}

/**
 * "I have it": the first person to press Acknowledge (or to take the incident
 * any other way) is its acknowledgement. Makes them a responder; idempotent.
 */
export function acknowledgeIncident(sql: Sql, actor: Actor, number: number): Promise<CommandResult> {
  return onIncident(sql, actor, number, async (ctx) => {
    refuseIfClosed(ctx.incident, 'acknowledge it');
    if (!(await actsByHand(ctx.tx, actor))) {
      throw refuse(403, 'not_a_person', 'An incident is acknowledged by a person taking it, not by an API token. Press Acknowledge in the war room.');
    }
    await ctx.take();
    await ctx.ensureResponder(ctx.by);
  });
}
