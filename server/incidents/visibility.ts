/**
 * The one lookup behind "may this person see this incident, and as what":
 * the viewer's participant row, their standing and permissions. Null means
 * the incident is not there for them (missing, or private and not theirs),
 * which every caller answers with 404.
 */
import type { Sql } from '../db/sql.ts';
import { permissionsFor, standingOf, type Permissions, type Standing } from './permissions.ts';
import { findParticipantKind, type Incident } from './repo.ts';

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
  const standing = standingOf(viewer, incident, await findParticipantKind(sql, incident.id, viewer.id));
  const permissions = permissionsFor(standing);
  return permissions.access === 'none' ? null : { incident, standing, permissions };
}
