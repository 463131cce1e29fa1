import type { Sql } from '../db/sql.ts';
import { verifyAgainstDummy, verifyPassword } from './password.ts';
import type { LoginLimiter } from './rate-limit.ts';
import { createSession, type Session } from './sessions.ts';
import { findUserByEmail, type User } from './users.ts';

export type LogInResult =
  | { ok: true; token: string; session: Session; user: User }
  | { ok: false; code: 'rate_limited'; message: string; retryAfterSeconds: number }
  | { ok: false; code: 'invalid_credentials' | 'deactivated'; message: string };

// One message for "no such email" and "wrong password", so the response never reveals which.
const INVALID = 'Email or password is incorrect.';

/**
 * Every attempt is counted before the password is checked (then forgotten
 * when it succeeds), so concurrent guesses cannot all run before the first
 * one is counted. Three limits, each on its own window:
 * - per account and address: the limiter's own (10 a minute), the one a
 *   guesser meets; the account's owner at another address is not locked out;
 * - per account, from anywhere: five times that, so guessing from many
 *   addresses is still bounded;
 * - per address, over all accounts: twenty times that, against spraying one
 *   password over many accounts, yet high enough that colleagues behind one
 *   NAT do not lock each other out by mistyping.
 */
export async function logIn(
  sql: Sql,
  limiter: LoginLimiter,
  input: { email: string; password: string; ip: string; userAgent?: string | null },
): Promise<LogInResult> {
  const email = input.email.toLowerCase();
  const limits = [
    { key: `pair:${email}|${input.ip}`, limit: limiter.limit },
    { key: `account:${email}`, limit: limiter.limit * 5 },
    { key: `ip:${input.ip}`, limit: limiter.limit * 20 },
  ];
  // Checked first, all of them, so a refused attempt counts against none.
  const blocked = await limiter.attempt(limits);
  if (blocked) {
    const minutes = Math.ceil(blocked.retryAfterSeconds / 60);
    return {
      ok: false,
      code: 'rate_limited',
      message: `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
      retryAfterSeconds: blocked.retryAfterSeconds,
    };
  }
  const user = await findUserByEmail(sql, input.email);
  const valid = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
  if (!user || !valid) return { ok: false, code: 'invalid_credentials', message: INVALID };
  if (!user.active) {
    return { ok: false, code: 'deactivated', message: 'This account has been deactivated. Ask an admin to reactivate it.' };
  }
  // A success forgets the account's failures; the address keeps its failures (a sprayer with one valid account must not wipe them).
  await limiter.reset(limits[0].key);
  await limiter.reset(limits[1].key);
  await limiter.uncount(limits[2].key);
  const { passwordHash: _, ...publicUser } = user;
  const { token, session } = await createSession(sql, user.id, { ip: input.ip, userAgent: input.userAgent });
  return { ok: true, token, session, user: publicUser };
}
