import type { Sql } from '../db/sql.ts';
import { generateSecureRandomString, hashSecret } from './tokens.ts';

export const INVITE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

export interface Invite {
  id: string;
  email: string | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedBy: string | null;
  revokedAt: Date | null;
  status: 'pending' | 'used' | 'revoked' | 'expired';
}

interface InviteRow {
  id: string;
  email: string | null;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_by: string | null;
  revoked_at: Date | null;
}

function toInvite(row: InviteRow, now = Date.now()): Invite {
  const status = row.used_at ? 'used' : row.revoked_at ? 'revoked' : row.expires_at.getTime() <= now ? 'expired' : 'pending';
  return {
    id: row.id,
    email: row.email,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    usedBy: row.used_by,
    revokedAt: row.revoked_at,
    status,
  };
}

/** The token goes into the link once and is never stored: only its hash is. */
export async function createInvite(
  sql: Sql,
  input: { createdBy: string; email?: string | null },
): Promise<{ token: string; invite: Invite }> {
  const token = generateSecureRandomString(32);
  const [row] = await sql<InviteRow>`
    insert into invites (id, token_hash, email, created_by, expires_at)
    values (${generateSecureRandomString()}, ${hashSecret(token)}, ${input.email ?? null}, ${input.createdBy},
            ${new Date(Date.now() + INVITE_LIFETIME_MS)})
    returning *`;
  return { token, invite: toInvite(row) };
}

/** Several invites in one transaction: all are created, or none. `null` makes a link anyone may use. */
export async function createInvites(
  sql: Sql,
  input: { createdBy: string; emails: readonly (string | null)[] },
): Promise<{ token: string; invite: Invite }[]> {
  return sql.begin(async (tx) => {
    const created: { token: string; invite: Invite }[] = [];
    for (const email of input.emails) created.push(await createInvite(tx, { createdBy: input.createdBy, email }));
    return created;
  });
}

export async function findInviteByToken(sql: Sql, token: string, forUpdate = false): Promise<Invite | null> {
  if (!/^[a-z0-9]{10,64}$/.test(token)) return null;
  const rows = forUpdate
    ? await sql<InviteRow>`select * from invites where token_hash = ${hashSecret(token)} for update`
    : await sql<InviteRow>`select * from invites where token_hash = ${hashSecret(token)}`;
  return rows[0] ? toInvite(rows[0]) : null;
}

export async function markInviteUsed(sql: Sql, inviteId: string, userId: string): Promise<void> {
  await sql`update invites set used_at = now(), used_by = ${userId} where id = ${inviteId}`;
}

export async function listInvites(sql: Sql): Promise<Invite[]> {
  const rows = await sql<InviteRow>`select * from invites order by created_at desc limit 200`;
  return rows.map((row) => toInvite(row));
}

/** Revokes a pending invite; false when there is none with that id still pending. */
export async function revokeInvite(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql`
    update invites set revoked_at = now()
    where id = ${id} and used_at is null and revoked_at is null returning id`;
  return rows.length > 0;
}
