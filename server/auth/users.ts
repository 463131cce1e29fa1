import type { Sql } from '../db/sql.ts';
import { generateSecureRandomString } from './tokens.ts';

export type UserRole = 'admin' | 'member';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  active: boolean;
  createdAt: Date;
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: UserRole;
  active: boolean;
  created_at: Date;
}

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  displayName: row.display_name,
  role: row.role,
  active: row.active,
  createdAt: row.created_at,
});

export async function createUser(
  sql: Sql,
  input: { email: string; displayName: string; passwordHash: string; role: UserRole },
): Promise<User> {
  const [row] = await sql<UserRow>`
    insert into users (id, email, display_name, password_hash, role)
    values (${generateSecureRandomString()}, ${input.email}, ${input.displayName}, ${input.passwordHash}, ${input.role})
    returning *`;
  return toUser(row);
}

export async function findUserByEmail(sql: Sql, email: string): Promise<(User & { passwordHash: string }) | null> {
  const [row] = await sql<UserRow & { password_hash: string }>`select * from users where lower(email) = lower(${email})`;
  return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
}

export async function getUser(sql: Sql, id: string): Promise<User | null> {
  const [row] = await sql<UserRow>`select * from users where id = ${id}`;
  return row ? toUser(row) : null;
}

/** `getUser` for many ids at once, in one query: ids with no user are absent from the map. */
export async function getUsers(sql: Sql, ids: readonly string[]): Promise<Map<string, User>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<UserRow>`select * from users where id = any(${ids}::text[])`;
  return new Map(rows.map((row) => [row.id, toUser(row)]));
}

export async function getPasswordHash(sql: Sql, id: string): Promise<string | null> {
  const [row] = await sql<{ password_hash: string }>`select password_hash from users where id = ${id}`;
  return row?.password_hash ?? null;
}

export async function countUsers(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }>`select count(*)::int as n from users`;
  return row.n;
}

/** People only: service accounts behind API tokens are managed on the tokens page, not here. */
export async function listUsers(sql: Sql): Promise<User[]> {
  const rows = await sql<UserRow>`select * from users where kind = 'person' order by active desc, lower(display_name)`;
  return rows.map(toUser);
}

/** Active people, for pickers (roles, participants); service accounts are not someone you can page. */
export async function listActivePeople(sql: Sql): Promise<{ id: string; displayName: string }[]> {
  const rows = await sql<{ id: string; display_name: string }>`
    select id, display_name from users where active and kind = 'person' order by lower(display_name), id`;
  return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
}

export async function setUserActive(sql: Sql, id: string, active: boolean): Promise<User | null> {
  const [row] = await sql<UserRow>`
    update users set active = ${active}, deactivated_at = case when ${active} then null else now() end
    where id = ${id} returning *`;
  return row ? toUser(row) : null;
}

export type RoleChange = { ok: true; user: User } | { ok: false; reason: 'not_found' | 'last_admin' };

/**
 * Makes a person an admin or a member. Refuses to leave the workspace without
 * an active admin: the admins' rows are locked first, so two admins demoting
 * each other at once cannot both succeed.
 */
export async function setUserRole(sql: Sql, id: string, role: UserRole): Promise<RoleChange> {
  return sql.begin(async (tx) => {
    const admins = await tx<{ id: string }>`select id from users where role = 'admin' and active and kind = 'person' order by id for update`;
    const [target] = await tx<UserRow>`select * from users where id = ${id} and kind = 'person' for update`;
    if (!target) return { ok: false, reason: 'not_found' };
    const otherAdmins = admins.filter((admin) => admin.id !== id).length;
    if (role === 'member' && target.role === 'admin' && target.active && otherAdmins === 0) return { ok: false, reason: 'last_admin' };
    const [row] = await tx<UserRow>`update users set role = ${role} where id = ${id} returning *`;
    return { ok: true, user: toUser(row) };
  });
}

export async function updateDisplayName(sql: Sql, id: string, displayName: string): Promise<User | null> {
  const [row] = await sql<UserRow>`update users set display_name = ${displayName} where id = ${id} returning *`;
  return row ? toUser(row) : null;
}

export async function updatePasswordHash(sql: Sql, id: string, passwordHash: string): Promise<void> {
  await sql`update users set password_hash = ${passwordHash} where id = ${id}`;
}
