/**
 * Warroom's answers to the collaboration core's questions (server/collab/access.ts):
 * who is asking, from the login session cookie, and what they may do with a
 * live document, by the rules of the incident or postmortem that owns it.
 * This is the one module that knows both sides, so the core imports no domain.
 */
import { parse as parseCookies } from 'hono/utils/cookie';
import { lastSeenSessionId, SESSION_COOKIE, stillValidSessionIds, validateSessionToken } from '../auth/sessions.ts';
import { generateSecureRandomString, hashSecret } from '../auth/tokens.ts';
import { getUsers } from '../auth/users.ts';
import type { Authenticate, Authorization, DecideAuthorizations } from '../collab/access.ts';
import type { CollabOptions, CollabServer } from '../collab/collab-server.ts';
import { documentExists } from '../collab/documents.ts';
import type { Sql } from '../db/sql.ts';
import type { Access } from '../incidents/permissions.ts';
import { findParticipantKinds, lastDeclaredWarRoom, type Incident } from '../incidents/repo.ts';
import { isWarRoomDocId, readWarRoom, warRoomAccess, warRoomDocId } from '../incidents/war-room.ts';
import { postmortemAccess } from '../postmortem/document.ts';
import { isPostmortemDocId } from '../shared/postmortem-doc.ts';

/**
 * A war room and a postmortem follow their incident's rules; any other
 * existing document is open to every active user. Everyone asked about is
 * decided together: the users, the incident and its participant rows are one
 * query each, however many people are in the room.
 */
export const decideDocumentAuthorizations: DecideAuthorizations = async (sql, userIds, docId) => {
  // One round of queries, not three after one another: an upgrade waits for this decision.
  const [found, warRoom] = await Promise.all([getUsers(sql, userIds), isWarRoomDocId(docId) ? readWarRoom(sql, docId, userIds) : null]);
  const users = [...found.values()].filter((user) => user.active);
  const decided = new Map<string, Authorization>(userIds.map((id) => [id, { access: 'missing', role: null }]));
  if (users.length === 0) return decided;
  const decide = (access: Map<string, Access>, roleOf: (userId: string) => string | null = () => null) => {
    // Observers and outsiders of a public incident read; outsiders of a private one get 404.
    for (const user of users) {
      const granted = access.get(user.id) ?? 'none';
      decided.set(user.id, { access: granted === 'none' ? 'missing' : granted, role: roleOf(user.id) });
    }
    return decided;
  };
  if (warRoom) return decide(warRoomAccess(users, warRoom), (userId) => roleHeld(warRoom.incident, userId));
  // A postmortem follows its incident's visibility; writable by the war room's writers until published.
  if (isPostmortemDocId(docId)) {
    const access = await postmortemAccess(sql, users, docId);
    if (access) return decide(access);
  }
  const everyone: Access = (await documentExists(sql, docId)) ? 'write' : 'none';
  return decide(new Map(users.map((user) => [user.id, everyone])));
};

/** The first role the user holds in the incident, for their presence badge. */
function roleHeld(incident: Incident, userId: string): string | null {
  const held = Object.entries(incident.roles).find(([, person]) => person?.id === userId);
  return held ? held[0] : null;
}

/** The session cookie, as the API's auth middleware reads it. */
export const authenticateBySession = (sql: Sql): Authenticate => async (request) => {
  const token = parseCookies(request.headers.cookie ?? '', SESSION_COOKIE)[SESSION_COOKIE];
  const valid = token ? await validateSessionToken(sql, token) : null;
  return valid ? { user: valid.user, sessionId: valid.session.id } : null;
};

/** The collaboration server's policy options, for `new CollabServer({ ...documentPolicy(sql), … })`. */
export const documentPolicy = (sql: Sql): Pick<CollabOptions, 'decideAuthorizations' | 'checkSessions'> => ({
  decideAuthorizations: decideDocumentAuthorizations,
  checkSessions: (ids) => stillValidSessionIds(sql, ids),
});

/** Real rows for the warm-up: the session seen last and the war room declared last (null where there are none). */
export interface RecentRows {
  sessionId: string | null;
  warRoom: { docId: string; userId: string | null } | null;
}

export async function recentRows(sql: Sql): Promise<RecentRows> {
  const [sessionId, warRoom] = await Promise.all([lastSeenSessionId(sql), lastDeclaredWarRoom(sql)]);
  return { sessionId, warRoom };
}

/**
 * The queries a websocket upgrade makes, once with ids that match nothing
 * and once with real rows, before the server takes connections. After a
 * restart every client reconnects at once; embedded PGlite spent ~70 ms of
 * the first one's sync on its session and access queries alone (every
 * table's catalog entries read and every plan made for the first time, on
 * the server's thread), and PostgreSQL opened the pool's connections in the
 * middle of it. Queries that find nothing leave the work of a found row for
 * the first client: reading it, and PGlite turning each column into text and
 * back (its WebAssembly and JavaScript for those steps ran for the first
 * time), which was 6 ms of the incident's lookup, 2 ms of the session's.
 * The rows used are the ones asked for first after a restart anyway: the
 * session seen last (with a secret that cannot match, so nothing is
 * renewed) and the war room declared last.
 */
export async function warmUpDocumentPolicy(sql: Sql, recent: RecentRows = { sessionId: null, warRoom: null }): Promise<void> {
  const nobody = 'warm-up';
  await validateSessionToken(sql, `${nobody.replace('-', '')}.${nobody.replace('-', '')}`);
  await Promise.all([
    getUsers(sql, [nobody]),
    readWarRoom(sql, warRoomDocId(nobody), [nobody]),
    findParticipantKinds(sql, nobody, [nobody]),
    documentExists(sql, nobody),
  ]);
  if (recent.sessionId) await validateSessionToken(sql, `${recent.sessionId}.${generateSecureRandomString()}`);
  const warRoom = recent.warRoom;
  if (warRoom) await decideDocumentAuthorizations(sql, warRoom.userId ? [warRoom.userId] : [], warRoom.docId);
}

/**
 * How long the upgrade's queries are repeated after their first pass. On a
 * restarted server the first client's session and access queries took 8–12 ms
 * on embedded PGlite although each had already run once (0.5–1 ms when warm),
 * and single queries took 10–28 ms at random during the first few passes: V8
 * compiles PGlite's WebAssembly (and our JavaScript) a second time, optimised,
 * for the functions that have run a while, and on a server with one core that
 * compiling takes its CPU from the queries. Repeated passes get that done
 * before the server listens: twenty passes took 0.3–0.8 s at start-up and put
 * the first sync of a 10,000-update document at 11–12 ms instead of 22–33.
 * Only the code is warmed by repeating, so the repeats use the shared pool,
 * not every connection.
 */
const REPEATED_WARM_UP = { passes: 20, ms: 1_000 };

/**
 * Everything an upgrade's first sync runs, before the server takes
 * connections: the policy's and the load's queries on every pooled
 * connection (each backend reads the catalog of the tables a query touches
 * the first time; warmed through the pool, the first real upgrade's queries
 * mostly went to connections that had run none of them), and the code: the
 * document's and the room's, and the session secret's hash (a session that
 * matches nothing never reaches it, so it ran unoptimised on the first real
 * upgrade). Then the queries again, as often as `repeat` allows.
 */
export async function warmUpWebsocketPath(
  sql: Sql,
  collab: Pick<CollabServer, 'warmUpQueries' | 'warmUp'>,
  repeat: { passes: number; ms: number } = REPEATED_WARM_UP,
): Promise<void> {
  // The secret's hash is code, not a query: warmed once, not once per connection.
  for (let i = 0; i < 5; i++) hashSecret('warm-up');
  const recent = await recentRows(sql);
  const docId = recent.warRoom?.docId ?? null;
  const queries = (connection: Sql) => Promise.all([warmUpDocumentPolicy(connection, recent), collab.warmUpQueries(connection, docId)]);
  await Promise.all([
    sql.everyConnection(queries),
    // The commits' own connection (see Sql.urgent) reads the log's table once, so the first commit finds it open and known.
    sql.urgent === sql ? null : collab.warmUpQueries(sql.urgent),
    collab.warmUp(),
  ]);
  const started = performance.now();
  for (let pass = 1; pass < repeat.passes && performance.now() - started < repeat.ms; pass++) await queries(sql);
}
