/**
 * The one lookup behind "may this person see this incident, and as what":
 * the viewer's participant row, their standing and permissions. Null means
 * the incident is not there for them (missing, or private and not theirs),
 * which every caller answers with 404.
 */
import type { Sql } from '../db/sql.ts';
import { permissionsFor, standingOf, type ParticipantKind, type Permissions, type Standing } from './permissions.ts';
import { findParticipantKind, findParticipantKinds, type Incident } from './repo.ts';

export interface IncidentStanding {
  incident: Incident;
  standing: Standing;
  permissions: Permissions;
}

export async function standingIn(
  sql: Sql,
  viewer: { id: string; isAdmin: boolean },
  incident: Incident | null,
): Promise<IncidentStanding | null> {
  if (!incident) return null;
  return seenAs(incident, standingOf(viewer, incident, await findParticipantKind(sql, incident.id, viewer.id)));
}

/**
 * `standingIn` for many viewers of one incident, with one query for all their
 * participant rows (a live document re-decides everyone in it at once).
 */
export async function standingsIn(
  sql: Sql,
  viewers: readonly { id: string; isAdmin: boolean }[],
  incident: Incident,
): Promise<Map<string, IncidentStanding | null>> {
  return standingsFrom(viewers, incident, await findParticipantKinds(sql, incident.id, viewers.map((viewer) => viewer.id)));
}

/** `standingsIn` from participant rows read already (by user id), for a caller that read them alongside the incident. */
export function standingsFrom(
  viewers: readonly { id: string; isAdmin: boolean }[],
  incident: Incident,
  kinds: ReadonlyMap<string, ParticipantKind>,
): Map<string, IncidentStanding | null> {
  return new Map(viewers.map((viewer) => [viewer.id, seenAs(incident, standingOf(viewer, incident, kinds.get(viewer.id) ?? null))]));
}

function seenAs(incident: Incident, standing: Standing): IncidentStanding | null {
  const permissions = permissionsFor(standing);
  return permissions.access === 'none' ? null : { incident, standing, permissions };
}
