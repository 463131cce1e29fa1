import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { validateApiToken, type TokenCheck } from '../auth/api-tokens.ts';
import type { Scope } from '../auth/scopes.ts';
import { SESSION_COOKIE, validateSessionToken, type Session } from '../auth/sessions.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError } from './errors.ts';
import { ANY_TOKEN, SESSION_ONLY } from './openapi/describe.ts';
import { tokenAccessOf } from './route-scope.ts';
import { deleteSessionTokenCookie, setSessionTokenCookie } from './session-cookie.ts';

const TOKEN_REFUSED: Record<Exclude<TokenCheck, { ok: true }>['reason'], string> = {
  invalid: 'This API token is not valid. Check that it was copied whole.',
  revoked: 'This API token has been revoked. Create a new one.',
  expired: 'This API token has expired. Create a new one.',
  deactivated: 'The account behind this API token has been deactivated.',
};

const insufficientScope = (scope: Scope) =>
  new ApiError(403, 'insufficient_scope', `This API token lacks the ${scope} scope. Create a token with it.`);

// RFC 6750 §3: a refused bearer token is answered with a challenge naming the problem.
const unauthorizedToken = (message: string) =>
  new ApiError(401, 'invalid_token', message, { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });

/**
 * Authenticates every API request, one way or the other, and fills `user`,
 * `session` and `scopes`. `Authorization: Bearer wr_…` is an API token: it
 * must be valid and scoped for this route (its `describe({ scope })`), and a
 * bad one is refused rather than falling back to the cookie, so a script never
 * silently acts as whoever's browser it runs in. Otherwise the session cookie,
 * with no scope limit (`scopes` null).
 */
export function authMiddleware({ sql, config }: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('user', null);
    c.set('session', null);
    c.set('scopes', null);
    c.set('tokenKind', null);
    // Only the Bearer scheme is ours: a browser behind a proxy with HTTP Basic
    // auth sends "Authorization: Basic …" on every request, and must still be
    // able to use its session cookie.
    const authorization = c.req.header('authorization');
    if (authorization !== undefined && /^Bearer(\s|$)/i.test(authorization)) {
      const match = /^Bearer +(\S+) *$/i.exec(authorization);
      if (!match) throw unauthorizedToken('Send an API token as "Authorization: Bearer wr_…".');
      const check = await validateApiToken(sql, match[1]);
      if (!check.ok) {
        c.var.log.info({ reason: check.reason, path: c.req.path }, 'api token refused');
        throw unauthorizedToken(TOKEN_REFUSED[check.reason]);
      }
      c.set('user', check.user);
      c.set('scopes', check.token.scopes);
      c.set('tokenKind', check.token.kind);
      c.set('log', c.var.log.child({ userId: check.user.id, tokenId: check.token.id }));
      const needed = tokenAccessOf(c);
      if (!needed || needed === SESSION_ONLY) {
        throw new ApiError(403, 'token_not_allowed', 'API tokens cannot be used for this route. Sign in to Warroom in a browser to do this.');
      }
      if (needed !== ANY_TOKEN && !check.token.scopes.includes(needed)) throw insufficientScope(needed);
    } else {
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

/**
 * The signed-in user, for handlers behind `requireUser`. Token requests have a
 * user but no session; reading `session` on one is refused, a second line
 * behind the session-only scope for the routes that manage the browser session.
 */
export function currentUser(c: { var: AppEnv['Variables'] }) {
  const { user, session } = c.var;
  if (!user) throw new ApiError(401, 'unauthenticated', 'Log in to continue.');
  return {
    user,
    get session(): Session {
      if (!session) throw new ApiError(403, 'session_required', 'This needs a browser session; API tokens cannot be used here.');
      return session;
    },
  };
}
