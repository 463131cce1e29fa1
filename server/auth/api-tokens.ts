import type { Sql } from '../db/sql.ts';
import type { Scope } from './scopes.ts';
import { generateSecureRandomString, hashSecret, secretMatches } from './tokens.ts';
import { toUser, type User } from './users.ts';

/** Recognisable in logs, secret scanners and pasted config: every API token starts with it. */
export const TOKEN_PREFIX = 'wr_';
// "Last used" only needs minute-level freshness; this keeps it from costing a write per request.
const LAST_USED_RESOLUTION_MS = 60 * 1000;
// A service account's password hash: no password verifies against it, so nobody can log in as one.
const LOCKED_PASSWORD = '!';

export type ApiTokenKind = 'personal' | 'service';
export type ApiTokenStatus = 'active' | 'expired' | 'revoked';

export interface ApiToken {
  id: string;
  /** Shown in lists so people recognise the token; never enough to use it. */
  prefix: string;
  name: string;
  scopes: Scope[];
  kind: ApiTokenKind;
  /** The account whose permissions the token carries. */
  userId: string;
  userName: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  status: ApiTokenStatus;
}

interface ApiTokenRow {
  id: string;
  prefix: string;
  secret_hash: Uint8Array;
  name: string;
  scopes: Scope[];
  kind: ApiTokenKind;
  user_id: string;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

function statusOf(row: Pick<ApiTokenRow, 'revoked_at' | 'expires_at'>, now = Date.now()): ApiTokenStatus {
  if (row.revoked_at) return 'revoked';
  if (row.expires_at && row.expires_at.getTime() <= now) return 'expired';
  return 'active';
}

const toApiToken = (row: ApiTokenRow & { user_name: string }): ApiToken => ({
  id: row.id,
  prefix: row.prefix,
  name: row.name,
  scopes: row.scopes,
  kind: row.kind,
  userId: row.user_id,
  userName: row.user_name,
  createdBy: row.created_by,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
  status: statusOf(row),
});

/** "wr_<id>_<secret>" → its parts; null for anything else. Neither part contains "_" (see ALPHABET in tokens.ts). */
export function parseApiToken(token: string): { id: string; secret: string } | null {
  const match = /^wr_([a-z0-9]{1,64})_([a-z0-9]{1,64})$/.exec(token);
  return match ? { id: match[1], secret: match[2] } : null;
}

export const formatApiToken = (id: string, secret: string) => `${TOKEN_PREFIX}${id}_${secret}`;

interface CreateInput {
  name: string;
  scopes: Scope[];
  expiresAt: Date | null;
  createdBy: string;
}

async function insertToken(sql: Sql, input: CreateInput & { kind: ApiTokenKind; userId: string }) {
  // 12 characters (60 bits) only need to be unique; the 160-bit secret is what proves possession.
  const id = generateSecureRandomString(12);
  const secret = generateSecureRandomString(32);
  const [row] = await sql<ApiTokenRow & { user_name: string }>`
    with inserted as (
      insert into api_tokens (id, prefix, secret_hash, name, scopes, kind, user_id, created_by, expires_at)
      values (${id}, ${TOKEN_PREFIX + id}, ${hashSecret(secret)}, ${input.name}, ${input.scopes}::text[], ${input.kind},
              ${input.userId}, ${input.createdBy}, ${input.expiresAt})
      returning *)
    select inserted.*, u.display_name as user_name from inserted join users u on u.id = inserted.user_id`;
  return { token: formatApiToken(id, secret), apiToken: toApiToken(row) };
}

/** A token acting as its creator, with at most the creator's own permissions. The full token is returned once, here. */
export function createPersonalToken(sql: Sql, input: CreateInput): Promise<{ token: string; apiToken: ApiToken }> {
  return insertToken(sql, { ...input, kind: 'personal', userId: input.createdBy });
}

/**
 * A token with its own service account ("Alertmanager (service)"), so what it
 * creates has an author that is not a person. The account is a member: it sees
 * what any member sees and needs incident roles like anyone else.
 */
export function createServiceToken(sql: Sql, input: CreateInput): Promise<{ token: string; apiToken: ApiToken }> {
  return sql.begin(async (tx) => {
    const userId = generateSecureRandomString();
    await tx`
      insert into users (id, email, display_name, password_hash, role, kind)
      values (${userId}, ${`${userId}@service.warroom.invalid`}, ${`${input.name} (service)`}, ${LOCKED_PASSWORD}, 'member', 'service')`;
    return insertToken(tx, { ...input, kind: 'service', userId });
  });
}

export type TokenCheck =
  | { ok: true; user: User; token: { id: string; scopes: Scope[]; kind: ApiTokenKind } }
  | { ok: false; reason: 'invalid' | 'revoked' | 'expired' | 'deactivated' };

/** The one place that turns a bearer token into a user and its scopes. */
export async function validateApiToken(sql: Sql, token: string): Promise<TokenCheck> {
  const parts = parseApiToken(token);
  if (!parts) return { ok: false, reason: 'invalid' };
  const [row] = await sql<ApiTokenRow & { email: string; display_name: string; role: User['role']; active: boolean; user_created_at: Date }>`
    select t.*, u.email, u.display_name, u.role, u.active, u.created_at as user_created_at
    from api_tokens t join users u on u.id = t.user_id
    where t.id = ${parts.id}`;
  // Revoked and expired are only told to someone who proved they hold the secret.
  if (!row || !secretMatches(parts.secret, row.secret_hash)) return { ok: false, reason: 'invalid' };
  const now = Date.now();
  const status = statusOf(row, now);
  if (status !== 'active') return { ok: false, reason: status };
  if (!row.active) return { ok: false, reason: 'deactivated' };
  if (!row.last_used_at || now - row.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await sql`update api_tokens set last_used_at = now() where id = ${row.id}`;
  }
  const user = toUser({ ...row, id: row.user_id, created_at: row.user_created_at });
  return { ok: true, user, token: { id: row.id, scopes: row.scopes, kind: row.kind } };
}

/** Personal tokens of one user, or (admin) every token; newest first, revoked ones included for the record. */
export async function listApiTokens(sql: Sql, filter: { userId?: string } = {}): Promise<ApiToken[]> {
  const rows = await sql<ApiTokenRow & { user_name: string }>`
    select t.*, u.display_name as user_name
    from api_tokens t join users u on u.id = t.user_id
    where ${filter.userId ?? null}::text is null or (t.user_id = ${filter.userId ?? null} and t.kind = 'personal')
    order by t.created_at desc, t.id`;
  return rows.map(toApiToken);
}

export async function countActiveTokens(sql: Sql, userId: string): Promise<number> {
  const [row] = await sql<{ n: number }>`
    select count(*)::int as n from api_tokens
    where user_id = ${userId} and revoked_at is null and (expires_at is null or expires_at > now())`;
  return row.n;
}

/**
 * Revokes a token at once (the next request with it gets 401). `ownerId`
 * limits it to that user's own tokens; null when there is no such token, or it
 * is not theirs. A revoked service token's account is deactivated too: it has
 * no other way in, and this keeps it out of every "active users" query.
 */
export async function revokeApiToken(sql: Sql, id: string, by: { userId: string; ownerId?: string }): Promise<ApiToken | null> {
  return sql.begin(async (tx) => {
    const [row] = await tx<ApiTokenRow & { user_name: string }>`
      with revoked as (
        update api_tokens set revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, ${by.userId})
        where id = ${id} and (${by.ownerId ?? null}::text is null or user_id = ${by.ownerId ?? null})
        returning *)
      select revoked.*, u.display_name as user_name from revoked join users u on u.id = revoked.user_id`;
    if (!row) return null;
    if (row.kind === 'service') {
      await tx`update users set active = false, deactivated_at = coalesce(deactivated_at, now()) where id = ${row.user_id} and kind = 'service'`;
    }
    return toApiToken(row);
  });
}
