import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppDeps, AppEnv } from '../http/context.ts';
import { ApiError } from '../http/errors.ts';
import { deleteSessionTokenCookie, setSessionTokenCookie } from './cookie.ts';
import { SESSION_COOKIE, validateSessionToken } from './sessions.ts';

/** Validates the session cookie on every API request and fills `user`/`session`. */
export function sessionMiddleware({ sql, config }: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('user', null);
    c.set('session', null);
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const valid = await validateSessionToken(sql, token);
      if (valid) {
        c.set('user', valid.user);
        c.set('session', valid.session);
        c.set('log', c.var.log.child({ userId: valid.user.id }));
        if (valid.renewed) setSessionTokenCookie(c, config, token, valid.session.expiresAt);
      } else {
        deleteSessionTokenCookie(c, config);
      }
    }
    await next();
  };
}

export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.var.user) throw new ApiError(401, 'unauthenticated', 'Log in to continue.');
  await next();
};

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.var.user) throw new ApiError(401, 'unauthenticated', 'Log in to continue.');
  if (c.var.user.role !== 'admin') throw new ApiError(403, 'forbidden', 'Only admins can do this.');
  await next();
};

/** The signed-in user, for handlers behind `requireUser`. */
export function currentUser(c: { var: AppEnv['Variables'] }) {
  const { user, session } = c.var;
  if (!user || !session) throw new ApiError(401, 'unauthenticated', 'Log in to continue.');
  return { user, session };
}
