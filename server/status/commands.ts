/**
 * Making an incident's status page public, taking it down, retitling it.
 * Same shape as the incident commands: one transaction holding the incident's
 * row lock, permission check, change and event together.
 */
import { generateSecureRandomString } from '../auth/tokens.ts';
import type { Sql } from '../db/sql.ts';
import type { Actor } from '../incidents/commands.ts';
import { recordEvent, type EventChange, type IncidentEvent } from '../incidents/events.ts';
import { permissionsFor, standingOf, type Permissions } from '../incidents/permissions.ts';
import { findIncidentById, findIncidentByNumber, listParticipants, lockIncident, type Incident } from '../incidents/repo.ts';
import { findStatusPageSettings, saveStatusPageSettings, slugTaken, type StatusPageSettings } from './repo.ts';
import { newPublicSlug, SUFFIX_LENGTH } from './slug.ts';
import { fail, type Failure } from '../shared/failure.ts';

/** The status page as the war room shows it. */
export interface StatusPage {
  public: boolean;
  slug: string | null;
  /** What the public sees; before the first publication, the suggestion (the incident title). */
  publicTitle: string;
  publicSince: Date | null;
}

export type StatusPageResult =
  | { ok: true; incident: Incident; statusPage: StatusPage; can: Permissions; events: IncidentEvent[] }
  | Failure;

export interface StatusPageInput {
  public: boolean;
  publicTitle?: string;
}

const NOT_FOUND = fail(404, 'not_found', 'No such incident.');

export const toStatusPage = (incident: { title: string }, settings: StatusPageSettings): StatusPage => ({
  public: settings.publicSince !== null,
  slug: settings.slug,
  publicTitle: settings.publicTitle ?? incident.title,
  publicSince: settings.publicSince,
});

/**
 * The settings after `input`, and the event to record (null when nothing
 * changes, so toggling twice is harmless). The first publication copies the
 * internal title when no public one is given: a snapshot, not a link, so a
 * later internal rename stays internal.
 */
export function planStatusPage(
  current: StatusPageSettings,
  incidentTitle: string,
  input: StatusPageInput,
  now: Date,
): { next: Omit<StatusPageSettings, 'slug'>; change: Extract<EventChange, { kind: 'status_page' }> | null } {
  const wasPublic = current.publicSince !== null;
  const publicTitle = input.publicTitle ?? current.publicTitle ?? (input.public ? incidentTitle : null);
  const next = { publicTitle, publicSince: input.public ? (current.publicSince ?? now) : null };
  const changed = wasPublic !== input.public || publicTitle !== current.publicTitle;
  return {
    next,
    change: changed ? { kind: 'status_page', public: input.public, wasPublic, publicTitle: publicTitle ?? incidentTitle } : null,
  };
}

async function mintSlug(sql: Sql, title: string): Promise<string> {
  // Four random characters make a clash rare, not impossible; a longer suffix settles it.
  for (let attempt = 0; attempt < 10; attempt++) {
    const slug = newPublicSlug(title, generateSecureRandomString(attempt < 3 ? SUFFIX_LENGTH : SUFFIX_LENGTH * 2));
    if (!(await slugTaken(sql, slug))) return slug;
  }
  throw new Error(`could not find a free public slug for "${title}"`);
}

/** Only the commander or an admin; outsiders of a private incident get the same 404 as for a missing one. */
export async function setStatusPage(sql: Sql, actor: Actor, number: number, input: StatusPageInput): Promise<StatusPageResult> {
  return sql.begin(async (tx): Promise<StatusPageResult> => {
    const id = await lockIncident(tx, number);
    const incident = id ? await findIncidentById(tx, id) : null;
    const settings = id ? await findStatusPageSettings(tx, id) : null;
    if (!incident || !settings) return NOT_FOUND;
    const participants = await listParticipants(tx, incident.id);
    const can = permissionsFor(standingOf(actor, incident, participants.find((p) => p.id === actor.id)?.kind ?? null));
    if (can.access === 'none') return NOT_FOUND;
    if (!can.canCommand) {
      const name = incident.roles.commander?.displayName;
      return { ok: false, status: 403, code: 'forbidden', message: `Only the incident commander${name ? ` (${name})` : ''} or an admin can change the status page.` };
    }
    // A drill on the public page would tell customers about an outage that is not happening.
    if (input.public && incident.drill) {
      return { ok: false, status: 409, code: 'drill', message: 'Drills never go on the public status page.', field: 'public' };
    }
    const { next, change } = planStatusPage(settings, incident.title, input, new Date());
    if (!change) return { ok: true, incident, statusPage: toStatusPage(incident, settings), can, events: [] };
    const slug = settings.slug ?? (next.publicSince ? await mintSlug(tx, next.publicTitle ?? incident.title) : null);
    const saved = { ...next, slug };
    await saveStatusPageSettings(tx, incident.id, saved);
    const event = await recordEvent(tx, incident.id, { id: actor.id, name: actor.displayName }, change);
    return { ok: true, incident, statusPage: toStatusPage(incident, saved), can, events: [event] };
  });
}

/** The war room's read: anyone who may see the incident may see whether its page is public. */
export async function readStatusPage(sql: Sql, actor: Actor, number: number): Promise<StatusPageResult> {
  const incident = await findIncidentByNumber(sql, number);
  const settings = incident ? await findStatusPageSettings(sql, incident.id) : null;
  if (!incident || !settings) return NOT_FOUND;
  const participants = await listParticipants(sql, incident.id);
  const can = permissionsFor(standingOf(actor, incident, participants.find((p) => p.id === actor.id)?.kind ?? null));
  if (can.access === 'none') return NOT_FOUND;
  return { ok: true, incident, statusPage: toStatusPage(incident, settings), can, events: [] };
}
