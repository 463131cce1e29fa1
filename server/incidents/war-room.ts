/** The link between an incident and its live war-room document: its id, its creation, and who may open it. */
import { createDocument } from '../collab/documents.ts';
import type { Sql } from '../db/sql.ts';
import type { Access, ParticipantKind } from './permissions.ts';
import { findIncidentByDocId, findParticipantKindsByDocId, type Incident } from './repo.ts';
import { standingsFrom } from './visibility.ts';

export const WAR_ROOM_KIND = 'war-room';
const PREFIX = 'incident-';

export const warRoomDocId = (incidentId: string) => `${PREFIX}${incidentId}`;

export const isWarRoomDocId = (docId: string) => docId.startsWith(PREFIX);

/** Registers the document inside the declaring transaction, so an incident never lacks its war room. */
export function createWarRoomDocument(sql: Sql, docId: string): Promise<void> {
  return createDocument(sql, docId, WAR_ROOM_KIND);
}

/** What deciding access to a war room reads: its incident, and the participant rows of the people asked about. */
export interface WarRoomFacts {
  incident: Incident;
  kinds: Map<string, ParticipantKind>;
}

/**
 * The incident that owns a war-room document and the participant rows of
 * `userIds`, read at once (both by the document's id): a websocket upgrade
 * waits for them. Null when no incident owns this document.
 */
export async function readWarRoom(sql: Sql, docId: string, userIds: readonly string[]): Promise<WarRoomFacts | null> {
  const [incident, kinds] = await Promise.all([findIncidentByDocId(sql, docId), findParticipantKindsByDocId(sql, docId, userIds)]);
  return incident ? { incident, kinds } : null;
}

/**
 * Each user's access to a war-room document by the same rules as the
 * incident: observers and non-participants of a public incident read, private
 * ones do not exist for outsiders. Decided for everyone at once (a role change
 * re-decides a whole room).
 */
export function warRoomAccess(users: readonly { id: string; role: string }[], facts: WarRoomFacts): Map<string, Access> {
  const seen = standingsFrom(users.map((user) => ({ id: user.id, isAdmin: user.role === 'admin' })), facts.incident, facts.kinds);
  return new Map(users.map((user) => [user.id, seen.get(user.id)?.permissions.access ?? 'none']));
}
