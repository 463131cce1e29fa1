/**
 * Warroom's answers to the collaboration core's questions (server/collab/access.ts):
 * who is asking, from the login session cookie, and what they may do with a
 * live document, by the rules of the incident or postmortem that owns it.
 * This is the one module that knows both sides, so the core imports no domain.
 */
import { parse as parseCookies } from 'hono/utils/cookie';
import { SESSION_COOKIE, stillValidSessionIds, validateSessionToken } from '../auth/sessions.ts';
import { getUser } from '../auth/users.ts';
import type { Authenticate, DecideAccess, DecideRole } from '../collab/access.ts';
import type { CollabOptions } from '../collab/collab-server.ts';
import { documentExists } from '../collab/documents.ts';
import type { Sql } from '../db/sql.ts';
import { findIncidentByDocId, findParticipantKind, type Incident } from '../incidents/repo.ts';
import { isWarRoomDocId, warRoomAccess, warRoomDocId } from '../incidents/war-room.ts';
import { postmortemAccess } from '../postmortem/document.ts';
import { isPostmortemDocId } from '../shared/postmortem-doc.ts';

/**
 * An upgrade decides access and role at once, and both start from the
 * document's incident: lookups of one document in flight at the same time
 * share one query (with embedded PGlite, queries take turns on the server's
 * thread).
 */
const incidentLookups = new WeakMap<Sql, Map<string, Promise<Incident | null>>>();

function incidentOf(sql: Sql, docId: string): Promise<Incident | null> {
  let inFlight = incidentLookups.get(sql);
  if (!inFlight) incidentLookups.set(sql, (inFlight = new Map()));
  let lookup = inFlight.get(docId);
  if (!lookup) {
    const lookups = inFlight;
    lookup = findIncidentByDocId(sql, docId).finally(() => lookups.delete(docId));
    lookups.set(docId, lookup);
  }
  return lookup;
}

/** A war room and a postmortem follow their incident's rules; any other existing document is open to every active user. */
export const decideDocumentAccess: DecideAccess = async (sql, userId, docId) => {
  // Both at once: an upgrade waits for this decision.
  const [user, incident] = await Promise.all([getUser(sql, userId), isWarRoomDocId(docId) ? incidentOf(sql, docId) : null]);
  if (!user?.active) return 'missing';
  // Observers and outsiders of a public incident read; outsiders of a private one get 404.
  if (isWarRoomDocId(docId)) {
    const access = await warRoomAccess(sql, user, incident);
    if (access !== null) return access === 'none' ? 'missing' : access;
  }
  // A postmortem follows its incident's visibility; writable by the war room's writers until published.
  if (isPostmortemDocId(docId)) {
    const access = await postmortemAccess(sql, user, docId);
    if (access !== null) return access === 'none' ? 'missing' : access;
  }
  return (await documentExists(sql, docId)) ? 'write' : 'missing';
};

export const decideDocumentRole: DecideRole = async (sql, userId, docId) => {
  if (!isWarRoomDocId(docId)) return null;
  const incident = await incidentOf(sql, docId);
  if (!incident) return null;
  const held = Object.entries(incident.roles).find(([, person]) => person?.id === userId);
  return held ? held[0] : null;
};

/** The session cookie, as the API's auth middleware reads it. */
export const authenticateBySession = (sql: Sql): Authenticate => async (request) => {
  const token = parseCookies(request.headers.cookie ?? '', SESSION_COOKIE)[SESSION_COOKIE];
  const valid = token ? await validateSessionToken(sql, token) : null;
  return valid ? { user: valid.user, sessionId: valid.session.id } : null;
};

/** The collaboration server's policy options, for `new CollabServer({ ...documentPolicy(sql), … })`. */
export const documentPolicy = (sql: Sql): Pick<CollabOptions, 'decideAccess' | 'decideRole' | 'checkSessions'> => ({
  decideAccess: decideDocumentAccess,
  decideRole: decideDocumentRole,
  checkSessions: (ids) => stillValidSessionIds(sql, ids),
});

/**
 * The queries a websocket upgrade makes, once, with ids that match nothing,
 * before the server takes connections. After a restart every client
 * reconnects at once; embedded PGlite spent ~70 ms of the first one's sync on
 * its session and access queries alone (every table's catalog entries read
 * and every plan made for the first time, on the server's thread), and
 * PostgreSQL opened the pool's connections in the middle of it.
 */
export async function warmUpDocumentPolicy(sql: Sql): Promise<void> {
  const nobody = 'warm-up';
  await validateSessionToken(sql, `${nobody.replace('-', '')}.${nobody.replace('-', '')}`);
  await Promise.all([
    getUser(sql, nobody),
    findIncidentByDocId(sql, warRoomDocId(nobody)),
    findParticipantKind(sql, nobody, nobody),
    documentExists(sql, nobody),
  ]);
}
