/** The link between an incident and its live war-room document: its id, its creation, and who may open it. */
import { createDocument } from '../collab/documents.ts';
import type { Sql } from '../db/sql.ts';
import type { Access } from './permissions.ts';
import type { Incident } from './repo.ts';
import { standingIn } from './visibility.ts';

export const WAR_ROOM_KIND = 'war-room';
const PREFIX = 'incident-';

export const warRoomDocId = (incidentId: string) => `${PREFIX}${incidentId}`;

export const isWarRoomDocId = (docId: string) => docId.startsWith(PREFIX);

/** Registers the document inside the declaring transaction, so an incident never lacks its war room. */
export function createWarRoomDocument(sql: Sql, docId: string): Promise<void> {
  return createDocument(sql, docId, WAR_ROOM_KIND);
}

/**
 * Access to a war-room document by the same rules as its incident (found with
 * findIncidentByDocId): observers and non-participants of a public incident
 * read, private ones do not exist for outsiders. Null when no incident owns
 * the document.
 */
export async function warRoomAccess(sql: Sql, user: { id: string; role: string }, incident: Incident | null): Promise<Access | null> {
  if (!incident) return null;
  const seen = await standingIn(sql, { id: user.id, isAdmin: user.role === 'admin' }, incident);
  return seen ? seen.permissions.access : 'none';
}
