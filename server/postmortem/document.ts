/** The link between an incident and its postmortem's live document: creation and who may open it. */
import { createDocument } from '../collab/documents.ts';
import type { Sql } from '../db/sql.ts';
import type { Access } from '../incidents/permissions.ts';
import { findIncidentById } from '../incidents/repo.ts';
import { standingsIn } from '../incidents/visibility.ts';
import { incidentIdOfPostmortemDoc } from '../shared/postmortem-doc.ts';
import { findPostmortemState } from './repo.ts';
import { isEditable, reviewerOf } from './review.ts';

export const POSTMORTEM_KIND = 'postmortem';

export function createPostmortemDocument(sql: Sql, docId: string): Promise<void> {
  return createDocument(sql, docId, POSTMORTEM_KIND);
}

/**
 * Same visibility as the incident; 'write' for those who could write in the
 * war room before it closed, while the postmortem is a draft or in review;
 * 'read' for everyone else who may see the incident, and for all once
 * published. Decided for every user at once; null when no incident owns this
 * document id.
 */
export async function postmortemAccess(sql: Sql, users: readonly { id: string; role: string }[], docId: string): Promise<Map<string, Access> | null> {
  const incident = await findIncidentById(sql, incidentIdOfPostmortemDoc(docId));
  if (!incident) return null;
  const [seen, state] = await Promise.all([
    standingsIn(sql, users.map((user) => ({ id: user.id, isAdmin: user.role === 'admin' })), incident),
    findPostmortemState(sql, incident.id),
  ]);
  const accessOf = (userId: string): Access => {
    const standing = seen.get(userId);
    // No row yet: generation has not finished, so there is nothing to open.
    if (!standing || !state) return 'none';
    return isEditable(state) && reviewerOf(standing.standing).writer ? 'write' : 'read';
  };
  return new Map(users.map((user) => [user.id, accessOf(user.id)]));
}
