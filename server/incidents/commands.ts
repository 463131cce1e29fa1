/**
 * Everything that changes an incident. Each command checks permissions and
 * rules, then writes the change and its event in one transaction holding the
 * incident's row lock, so two commanders clicking at once serialise. Expected
 * refusals are returned as typed failures, never thrown at the caller.
 */
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import { findPostmortemState } from '../postmortem/repo.ts';
import { recordEvent, type DetailChange, type EventChange, type IncidentEvent, type Named } from './events.ts';
import { checkTransition, timestampsAfter, type IncidentState } from './lifecycle.ts';
import { permissionsFor, ROLE_NAMES, standingOf, type ParticipantKind, type Permissions, type RoleName } from './permissions.ts';
import {
  findActiveUser,
  findIncidentById,
  insertIncident,
  listParticipants,
  lockIncident,
  ROLE_COLUMNS,
  updateIncident,
  upsertParticipant,
  type Incident,
  type IncidentChanges,
  type Participant,
} from './repo.ts';
import { severityLabel, type Severity } from './severity.ts';
import { createWarRoomDocument, warRoomDocId } from './war-room.ts';

export interface Actor {
  id: string;
  displayName: string;
  isAdmin: boolean;
}

export interface CommandFailure {
  ok: false;
  status: 400 | 403 | 404 | 409;
  code: string;
  message: string;
  field?: string;
}

export interface CommandSuccess {
  ok: true;
  incident: Incident;
  participants: Participant[];
  /** Events written by this command, in order (empty when nothing changed). */
  events: IncidentEvent[];
}

export type CommandResult = CommandSuccess | CommandFailure;

/** Thrown inside a command's transaction so anything already written rolls back. */
class Refusal extends Error {
  readonly failure: CommandFailure;
  constructor(failure: CommandFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

const refuse = (status: CommandFailure['status'], code: string, message: string, field?: string) =>
  new Refusal({ ok: false, status, code, message, ...(field ? { field } : {}) });

const NOT_FOUND = () => refuse(404, 'not_found', 'No such incident.');

function onlyCommander(incident: Incident, what: string): Refusal {
  const name = incident.roles.commander?.displayName;
  return refuse(403, 'forbidden', `Only the incident commander${name ? ` (${name})` : ''} or an admin can ${what}.`);
}

// Timestamps a little ahead of the server clock are tolerated (clock skew), hours ahead are typos.
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
function checkPast(value: Date | null | undefined, field: string, now: Date): void {
  if (value && value.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw refuse(400, 'invalid_input', `${field}: must not be in the future`, field);
  }
}

/** Services are free tags: trimmed, lowercased, without duplicates or blanks. */
export function normalizeServices(services: readonly string[]): string[] {
  return [...new Set(services.map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0))];
}

interface CommandContext {
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
}

async function run(sql: Sql, body: (tx: Sql, events: IncidentEvent[]) => Promise<string | null>): Promise<CommandResult> {
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

/** Locks incident `number`, hides it from those who may not see it, and runs `fn` with the context. */
function onIncident(sql: Sql, actor: Actor, number: number, fn: (ctx: CommandContext) => Promise<void>): Promise<CommandResult> {
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
    const ctx: CommandContext = {
      tx, actor, by, now, incident, participants, can,
      async record(change) {
        events.push(await recordEvent(tx, id, by, change));
      },
      async ensureResponder(user) {
        const current = participants.find((p) => p.id === user.id)?.kind ?? null;
        if (current === 'responder') return;
        await upsertParticipant(tx, { incidentId: id, userId: user.id, kind: 'responder', addedBy: actor.id, at: now });
        if (!incident.acknowledgedAt) await updateIncident(tx, id, { acknowledgedAt: now });
        await ctx.record({ kind: 'participant', user, from: current, to: 'responder' });
      },
    };
    await fn(ctx);
    return id;
  });
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
    // The declarer joining at declaration is the first acknowledgement.
    await updateIncident(tx, id, { acknowledgedAt: now });
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
    return id;
  });
}

// --- commander's commands ---------------------------------------------------

export function changeState(sql: Sql, actor: Actor, number: number, to: IncidentState): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, can, now, record }) => {
    if (!can.canCommand) throw onlyCommander(incident, 'change the state');
    const check = checkTransition(incident.state, to);
    if (!check.ok) throw refuse(409, 'invalid_transition', check.message, 'state');
    // Reopening is for a draft postmortem; once published, the record stands as published.
    if (incident.state === 'closed' && (await findPostmortemState(tx, incident.id)) === 'published') {
      throw refuse(409, 'postmortem_published', 'The postmortem is published, so the incident cannot be reopened. Start a revision of the postmortem, or declare a new incident.', 'state');
    }
    await updateIncident(tx, incident.id, { state: to, ...timestampsAfter(incident, to, now) });
    await record({ kind: 'state', from: incident.state, to });
  });
}

export function changeSeverity(sql: Sql, actor: Actor, number: number, to: Severity): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, can, record }) => {
    if (!can.canCommand) throw onlyCommander(incident, 'change the severity');
    if (incident.severity === to) throw refuse(409, 'no_change', `The incident is already ${severityLabel(to)}.`, 'severity');
    await updateIncident(tx, incident.id, { severity: to });
    await record({ kind: 'severity', from: incident.severity, to });
  });
}

export function assignRole(sql: Sql, actor: Actor, number: number, role: RoleName, userId: string | null): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, can, record, ensureResponder }) => {
    if (!can.canCommand) throw onlyCommander(incident, 'assign roles');
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
    if (to) await ensureResponder(to);
    await updateIncident(tx, incident.id, { [ROLE_COLUMNS[role]]: userId });
    await record({ kind: 'role', role, from: current ? { id: current.id, name: current.displayName } : null, to, claimed: false });
  });
}

/** Any participant with write access may take an empty role. */
export function claimRole(sql: Sql, actor: Actor, number: number, role: RoleName): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, participants, can, by, record, ensureResponder }) => {
    if (!can.canClaim) {
      const observer = participants.some((p) => p.id === actor.id);
      throw refuse(403, 'forbidden', `${observer ? 'Observers are read-only' : 'You have not joined this incident'}: join as a responder to claim a role.`);
    }
    const holder = incident.roles[role];
    if (holder) {
      const who = holder.id === actor.id ? 'You are' : `${holder.displayName} is`;
      throw refuse(409, 'role_taken', `${who} already the ${role}. Ask the commander for a hand-off.`, 'role');
    }
    await ensureResponder(by);
    await updateIncident(tx, incident.id, { [ROLE_COLUMNS[role]]: actor.id });
    await record({ kind: 'role', role, from: null, to: by, claimed: true });
  });
}

export function updateDetails(
  sql: Sql,
  actor: Actor,
  number: number,
  patch: { title?: string; summary?: string; services?: string[]; private?: boolean; startedAt?: Date; detectedAt?: Date | null },
): Promise<CommandResult> {
  return onIncident(sql, actor, number, async ({ tx, incident, can, now, record }) => {
    if (!can.canCommand) throw onlyCommander(incident, 'edit the incident details');
    checkPast(patch.startedAt, 'startedAt', now);
    checkPast(patch.detectedAt, 'detectedAt', now);
    const changes: IncidentChanges = {};
    const details: DetailChange[] = [];
    const iso = (d: Date | null) => d?.toISOString() ?? null;
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
    if (patch.startedAt !== undefined && iso(patch.startedAt) !== iso(incident.startedAt)) {
      changes.startedAt = patch.startedAt;
      details.push({ field: 'startedAt', from: iso(incident.startedAt), to: iso(patch.startedAt) });
    }
    if (patch.detectedAt !== undefined && iso(patch.detectedAt) !== iso(incident.detectedAt)) {
      changes.detectedAt = patch.detectedAt;
      details.push({ field: 'detectedAt', from: iso(incident.detectedAt), to: iso(patch.detectedAt) });
    }
    const retitled = patch.title !== undefined && patch.title !== incident.title;
    if (retitled) changes.title = patch.title;
    await updateIncident(tx, incident.id, changes);
    if (retitled) await record({ kind: 'title', from: incident.title, to: patch.title! });
    if (details.length > 0) await record({ kind: 'details', changes: details });
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
