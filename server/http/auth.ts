import { Hono } from 'hono';
import { z } from 'zod';
import { deleteSessionTokenCookie, setSessionTokenCookie } from '../auth/cookie.ts';
import { findInviteByToken } from '../auth/invites.ts';
import { logIn } from '../auth/login.ts';
import { currentUser, requireUser } from '../auth/middleware.ts';
import { createSession, invalidateSession, invalidateUserSessions } from '../auth/sessions.ts';
import { signUp } from '../auth/signup.ts';
import { countUsers } from '../auth/users.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError } from './errors.ts';
import { clientAddress } from './client-address.ts';
import { displayName, email, password } from './schemas.ts';
import { readJson } from './validate.ts';

const signUpBody = z.object({ email, displayName, password, invite: z.string().max(100).optional() });
const logInBody = z.object({ email, password });

export function authRoutes(deps: AppDeps) {
  const { sql, config, loginLimiter } = deps;
  return new Hono<AppEnv>()
    .get('/state', async (c) => {
      return c.json({ needsFirstAdmin: (await countUsers(sql)) === 0, user: c.var.user });
    })
    .get('/invite', async (c) => {
      const invite = await findInviteByToken(sql, c.req.query('token') ?? '');
      if (!invite) throw new ApiError(404, 'invite_invalid', 'This invite link is not valid. Ask an admin for a new one.');
      if (invite.status !== 'pending') {
        throw new ApiError(410, 'invite_invalid', `This invite was ${invite.status}. Ask an admin for a new one.`);
      }
      return c.json({ email: invite.email, expiresAt: invite.expiresAt });
    })
    .post('/signup', async (c) => {
      const body = await readJson(c, signUpBody);
      const result = await signUp(sql, { ...body, inviteToken: body.invite });
      if (!result.ok) {
        const status = result.code === 'email_taken' ? 409 : result.code === 'invite_required' ? 403 : 400;
        throw new ApiError(status, result.code, result.message, { field: result.field });
      }
      c.var.log.info({ userId: result.user.id, role: result.user.role }, 'user signed up');
      const { token, session } = await createSession(sql, result.user.id, {
        ip: clientAddress(c),
        userAgent: c.req.header('user-agent'),
      });
      setSessionTokenCookie(c, config, token, session.expiresAt);
      return c.json({ user: result.user }, 201);
    })
    .post('/login', async (c) => {
      const body = await readJson(c, logInBody);
      const result = await logIn(sql, loginLimiter, {
        ...body,
        ip: clientAddress(c),
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
    .post('/logout', requireUser, async (c) => {
      await invalidateSession(sql, currentUser(c).session.id);
      deleteSessionTokenCookie(c, config);
      return c.json({ ok: true });
    })
    .post('/logout-everywhere', requireUser, async (c) => {
      await invalidateUserSessions(sql, currentUser(c).user.id);
      deleteSessionTokenCookie(c, config);
      return c.json({ ok: true });
    });
}
