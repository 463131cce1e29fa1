import { Hono } from 'hono';
import { z } from 'zod';
import { deleteSessionTokenCookie, setSessionTokenCookie } from './session-cookie.ts';
import { findInviteByToken } from '../auth/invites.ts';
import { logIn } from '../auth/login.ts';
import { currentUser, requireUser } from './auth-middleware.ts';
import { createSession, invalidateSession, invalidateUserSessions } from '../auth/sessions.ts';
import { signUp } from '../auth/signup.ts';
import { countUsers } from '../auth/users.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, failed } from './errors.ts';
import { clientAddress } from './client-address.ts';
import { displayName, email, password } from './schemas.ts';
import { Ok, User } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';

const signUpBody = z.object({ email, displayName, password, invite: z.string().max(100).optional() });
const logInBody = z.object({ email, password });

// A missing token is just an invalid invite (404), like a wrong one.
const inviteQuery = z.object({ token: z.string().default('').meta({ description: 'The token from the invite link' }) });
const tags = ['Account'];
const signedIn = { description: 'Signed in: the session cookie is set', schema: z.object({ user: User }) };
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  state: describe({
    tags,
    scope: 'session-only',
    summary: 'Who is signed in, and whether the first admin still has to sign up',
    responses: { 200: { description: 'The current user or null', schema: z.object({ needsFirstAdmin: z.boolean(), user: User.nullable() }) } },
  }),
  invite: describe({
    tags,
    scope: 'session-only',
    summary: 'Check an invite link before signing up',
    query: inviteQuery,
    responses: { 200: { description: 'The invite is pending', schema: z.object({ email: z.string().nullable(), expiresAt: z.iso.datetime() }) } },
    errors: [404, 410],
  }),
  signup: describe({
    tags,
    scope: 'session-only',
    summary: 'Sign up',
    description: 'The very first account becomes the admin; everyone after needs an invite.',
    body: signUpBody,
    responses: { 201: signedIn },
    errors: [403, 409],
  }),
  login: describe({
    tags,
    scope: 'session-only',
    summary: 'Log in',
    description: 'Sets the session cookie (30 days, renewed while in use). Repeated failures are rate limited per email and address.',
    body: logInBody,
    responses: { 200: signedIn },
    errors: [401, 403, 429],
  }),
  logout: describe({ tags, scope: 'session-only', summary: 'Log out this browser', responses: { 200: { description: 'The session is ended and the cookie cleared', schema: Ok } } }),
  logoutEverywhere: describe({ tags, scope: 'session-only', summary: 'Log out every session of this account', responses: { 200: { description: 'All sessions ended', schema: Ok } } }),
};

export function authRoutes(deps: AppDeps) {
  const { sql, config, loginLimiter } = deps;
  return new Hono<AppEnv>()
    .get('/state', docs.state, async (c) => {
      return c.json({ needsFirstAdmin: (await countUsers(sql)) === 0, user: c.var.user });
    })
    .get('/invite', docs.invite, async (c) => {
      const invite = await findInviteByToken(sql, parse(inviteQuery, c.req.query()).token);
      if (!invite) throw new ApiError(404, 'invite_invalid', 'This invite link is not valid. Ask an admin for a new one.');
      if (invite.status !== 'pending') {
        throw new ApiError(410, 'invite_invalid', `This invite was ${invite.status}. Ask an admin for a new one.`);
      }
      return c.json({ email: invite.email, expiresAt: invite.expiresAt });
    })
    .post('/signup', docs.signup, async (c) => {
      const body = await readJson(c, signUpBody);
      const result = await signUp(sql, { ...body, inviteToken: body.invite });
      if (!result.ok) throw failed(result);
      c.var.log.info({ userId: result.user.id, role: result.user.role }, 'user signed up');
      const { token, session } = await createSession(sql, result.user.id, {
        ip: clientAddress(c, config.trustedProxies),
        userAgent: c.req.header('user-agent'),
      });
      setSessionTokenCookie(c, config, token, session.expiresAt);
      return c.json({ user: result.user }, 201);
    })
    .post('/login', docs.login, async (c) => {
      const body = await readJson(c, logInBody);
      const result = await logIn(sql, loginLimiter, {
        ...body,
        ip: clientAddress(c, config.trustedProxies),
        userAgent: c.req.header('user-agent'),
      });
      if (!result.ok) {
        c.var.log.warn({ code: result.code }, 'login refused');
        if (result.code === 'rate_limited') {
          throw new ApiError(429, result.code, result.message, {
            headers: { 'retry-after': String(result.retryAfterSeconds) },
          });
        }
        throw new ApiError(result.code === 'deactivated' ? 403 : 401, result.code, result.message);
      }
      setSessionTokenCookie(c, config, result.token, result.session.expiresAt);
      return c.json({ user: result.user });
    })
    .post('/logout', docs.logout, requireUser, async (c) => {
      await invalidateSession(sql, currentUser(c).session.id);
      deleteSessionTokenCookie(c, config);
      return c.json({ ok: true });
    })
    .post('/logout-everywhere', docs.logoutEverywhere, requireUser, async (c) => {
      await invalidateUserSessions(sql, currentUser(c).user.id);
      deleteSessionTokenCookie(c, config);
      return c.json({ ok: true });
    });
}
