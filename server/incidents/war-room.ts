/** The link between an incident and its live war-room document: its id, its creation, and who may open it. */
import { createDocument } from '../collab/documents.ts';
import type { Sql } from '../db/sql.ts';
import type { Access } from './permissions.ts';
import { findIncidentByDocId, type Incident } from './repo.ts';
import { standingsIn } from './visibility.ts';

export const WAR_ROOM_KIND = 'war-room';
const PREFIX = 'incident-';

export const warRoomDocId = (incidentId: string) => `${PREFIX}${incidentId}`;

export const isWarRoomDocId = (docId: string) => docId.startsWith(PREFIX);

/** Registers the document inside the declaring transaction, so an incident never lacks its war room. */
export function createWarRoomDocument(sql: Sql, docId: string): Promise<void> {
  return createDocument(sql, docId, WAR_ROOM_KIND);
}

/**
 * Each user's access to a war-room document by the same rules as the
 * incident: observers and non-participants of a public incident read, private
 * ones do not exist for outsiders. Decided for everyone at once (a role change
 * re-decides a whole room), with the incident it was decided by. Null when no
 * incident owns this document.
 */
export async function warRoomAccess(
  sql: Sql,
  users: readonly { id: string; role: string }[],
  docId: string,
): Promise<{ incident: Incident; access: Map<string, Access> } | null> {
  const incident = await findIncidentByDocId(sql, docId);
  if (!incident) return null;
  const seen = await standingsIn(sql, users.map((user) => ({ id: user.id, isAdmin: user.role === 'admin' })), incident);
  return { incident, access: new Map(users.map((user) => [user.id, seen.get(user.id)?.permissions.access ?? 'none'])) };
}
