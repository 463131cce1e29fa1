import type { Sql } from '../db/sql.ts';
import { generateSecureRandomString, hashSecret, secretMatches, splitToken } from './tokens.ts';
import { toUser, type User } from './users.ts';

export const SESSION_COOKIE = 'warroom_session';
const DAY = 24 * 60 * 60 * 1000;
export const SESSION_LIFETIME_MS = 30 * DAY;
// Sliding expiry: renew once less than half the lifetime is left, so an
// active user is never logged out and we write at most once every 15 days.
const RENEW_BELOW_MS = 15 * DAY;
// "Last seen" in the sessions list only needs minute-level freshness.
const LAST_SEEN_RESOLUTION_MS = 5 * 60 * 1000;

export interface Session {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  userAgent: string | null;
  ip: string | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  last_seen_at: Date;
  user_agent: string | null;
  ip: string | null;
}

interface UserColumns {
  secret_hash: Uint8Array;
  email: string;
  display_name: string;
  role: User['role'];
  active: boolean;
  user_created_at: Date;
}

const toSession = (row: SessionRow): Session => ({
  id: row.id,
  userId: row.user_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastSeenAt: row.last_seen_at,
  userAgent: row.user_agent,
  ip: row.ip,
});

export async function createSession(
  sql: Sql,
  userId: string,
  client: { userAgent?: string | null; ip?: string | null } = {},
): Promise<{ token: string; session: Session }> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  const expiresAt = new Date(Date.now() + SESSION_LIFETIME_MS);
  const [row] = await sql<SessionRow>`
    insert into sessions (id, secret_hash, user_id, expires_at, user_agent, ip)
    values (${id}, ${hashSecret(secret)}, ${userId}, ${expiresAt}, ${client.userAgent?.slice(0, 300) ?? null}, ${client.ip ?? null})
    returning *`;
  return { token: `${id}.${secret}`, session: toSession(row) };
}

export interface ValidSession {
  session: Session;
  user: User;
  /** True when the expiry moved and the cookie must be re-sent. */
  renewed: boolean;
}

/** The one place that turns a token into a signed-in user; null for anything not valid now. */
export async function validateSessionToken(sql: Sql, token: string): Promise<ValidSession | null> {
  const parts = splitToken(token);
  if (!parts) return null;
  const [row] = await sql<SessionRow & UserColumns>`
    select s.*, u.email, u.display_name, u.role, u.active, u.created_at as user_created_at
    from sessions s join users u on u.id = s.user_id
    where s.id = ${parts.id}`;
  if (!row || !secretMatches(parts.secret, row.secret_hash)) return null;
  const now = Date.now();
  if (row.expires_at.getTime() <= now) {
    await sql`delete from sessions where id = ${row.id}`;
    return null;
  }
  if (!row.active) return null;
  const session = toSession(row);
  let renewed = false;
  if (session.expiresAt.getTime() - now < RENEW_BELOW_MS) {
    session.expiresAt = new Date(now + SESSION_LIFETIME_MS);
    renewed = true;
  }
  if (renewed || now - session.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
    session.lastSeenAt = new Date(now);
    await sql`update sessions set expires_at = ${session.expiresAt}, last_seen_at = ${session.lastSeenAt} where id = ${session.id}`;
  }
  const user = toUser({ ...row, id: row.user_id, created_at: row.user_created_at });
  return { session, user, renewed };
}

/**
 * The session seen last (a restarted server warms its lookup with a real row:
 * see document-policy.ts). Once per start, so a scan: the table holds only
 * sessions that have not expired (the purge removes the rest).
 */
export async function lastSeenSessionId(sql: Sql): Promise<string | null> {
  const [row] = await sql<{ id: string }>`select id from sessions order by last_seen_at desc limit 1`;
  return row?.id ?? null;
}

export async function invalidateSession(sql: Sql, sessionId: string): Promise<void> {
  await sql`delete from sessions where id = ${sessionId}`;
}

export async function invalidateUserSessions(sql: Sql, userId: string, exceptSessionId?: string): Promise<void> {
  await sql`delete from sessions where user_id = ${userId} and id <> ${exceptSessionId ?? ''}`;
}

export async function listUserSessions(sql: Sql, userId: string): Promise<Session[]> {
  const rows = await sql<SessionRow>`
    select * from sessions where user_id = ${userId} and expires_at > now() order by last_seen_at desc`;
  return rows.map(toSession);
}

/** Deletes one of the user's own sessions; false when it is not theirs. */
export async function revokeUserSession(sql: Sql, userId: string, sessionId: string): Promise<boolean> {
  const rows = await sql`delete from sessions where id = ${sessionId} and user_id = ${userId} returning id`;
  return rows.length > 0;
}

/** Ids of sessions that are still valid, out of the given ones (for closing websockets of ended sessions). */
export async function stillValidSessionIds(sql: Sql, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await sql<{ id: string }>`
    select s.id from sessions s join users u on u.id = s.user_id
    where s.id = any(${ids}::text[]) and s.expires_at > now() and u.active`;
  return new Set(rows.map((r) => r.id));
}
