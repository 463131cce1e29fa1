import type { Sql } from '../db/sql.ts';
import { verifyAgainstDummy, verifyPassword } from './password.ts';
import type { RateLimiter } from './rate-limit.ts';
import { createSession, type Session } from './sessions.ts';
import { findUserByEmail, type User } from './users.ts';

export type LogInResult =
  | { ok: true; token: string; session: Session; user: User }
  | { ok: false; code: 'rate_limited'; message: string; retryAfterSeconds: number }
  | { ok: false; code: 'invalid_credentials' | 'deactivated'; message: string };

// One message for "no such email" and "wrong password", so the response never reveals which.
const INVALID = 'Email or password is incorrect.';

/**
 * Failed attempts count against both the account and the client address;
 * either reaching the limit blocks further tries until its window ends.
 */
export async function logIn(
  sql: Sql,
  limiter: RateLimiter,
  input: { email: string; password: string; ip: string; userAgent?: string | null },
): Promise<LogInResult> {
  const keys = [`account:${input.email.toLowerCase()}`, `ip:${input.ip}`];
  const blocked = keys.map((key) => limiter.check(key)).find((state) => !state.allowed);
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
  if (!user || !valid) {
    for (const key of keys) limiter.hit(key);
    return { ok: false, code: 'invalid_credentials', message: INVALID };
  }
  if (!user.active) {
    return { ok: false, code: 'deactivated', message: 'This account has been deactivated. Ask an admin to reactivate it.' };
  }
  limiter.reset(keys[0]);
  const { passwordHash: _, ...publicUser } = user;
  const { token, session } = await createSession(sql, user.id, { ip: input.ip, userAgent: input.userAgent });
  return { ok: true, token, session, user: publicUser };
}
