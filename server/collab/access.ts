import type { User } from '../auth/users.ts';
import type { Sql } from '../db/sql.ts';
import { documentExists } from './documents.ts';
import { isWarRoomDocId, warRoomAccess } from '../incidents/war-room.ts';
import { postmortemAccess } from '../postmortem/document.ts';
import { isPostmortemDocId } from '../shared/postmortem-doc.ts';

/**
 * What a user may do with a live document. 'missing' covers both "does not
 * exist" and "not yours to see", so probing ids reveals nothing (HTTP 404).
 */
export type DocumentAccess = 'write' | 'read' | 'missing';

export type DecideAccess = (sql: Sql, user: User, docId: string) => Promise<DocumentAccess>;

/**
 * The one place that decides access to a document. For now any active user
 * may edit any existing document; the incidents issue adds 'read' for
 * observers and 'missing' for private incidents.
 */
export const decideDocumentAccess: DecideAccess = async (sql, user, docId) => {
  if (!user.active) return 'missing';
  // --- incidents: a war room follows its incident's rules (server/incidents/permissions.ts):
  // observers and outsiders of a public incident read, outsiders of a private one get 404.
  if (isWarRoomDocId(docId)) {
    const access = await warRoomAccess(sql, user, docId);
    if (access !== null) return access === 'none' ? 'missing' : access;
  }
  // A postmortem follows its incident's visibility; writable by the war room's writers until published.
  if (isPostmortemDocId(docId)) {
    const access = await postmortemAccess(sql, user, docId);
    if (access !== null) return access === 'none' ? 'missing' : access;
  }
  // --- end incidents ---
  return (await documentExists(sql, docId)) ? 'write' : 'missing';
};
