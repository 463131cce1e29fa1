import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from './auth-middleware.ts';
import { checkPasswordRules, hashPassword, verifyPassword } from '../auth/password.ts';
import { invalidateUserSessions, listUserSessions, revokeUserSession } from '../auth/sessions.ts';
import { getPasswordHash, updateDisplayName, updatePasswordHash } from '../auth/users.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { displayName, id, password } from './schemas.ts';
import { Ok, Session, User } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';

const profileBody = z.object({ displayName });
const passwordBody = z.object({ currentPassword: password, newPassword: password });

const tags = ['Account'];
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  get: describe({ tags, scope: 'session-only', summary: 'The signed-in user', responses: { 200: { description: 'You', schema: z.object({ user: User }) } } }),
  update: describe({ tags, scope: 'session-only', summary: 'Change your display name', body: profileBody, responses: { 200: { description: 'You, renamed', schema: z.object({ user: User }) } } }),
  password: describe({
    tags,
    scope: 'session-only',
    summary: 'Change your password',
    description: 'Needs the current password; ends every other session of the account.',
    body: passwordBody,
    responses: { 200: { description: 'Changed', schema: Ok } },
  }),
  sessions: describe({ tags, scope: 'session-only', summary: 'Your sessions (browsers signed in)', responses: { 200: { description: 'Sessions, current one marked', schema: z.object({ sessions: z.array(Session) }) } } }),
  revoke: describe({ tags, scope: 'session-only', summary: 'End one of your sessions', responses: { 200: { description: 'Ended', schema: Ok } } }),
};

/** The signed-in user's own account: profile, password, sessions. */
export function meRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser)
    .get('/', docs.get, (c) => c.json({ user: currentUser(c).user }))
    .patch('/', docs.update, async (c) => {
      const body = await readJson(c, profileBody);
      const user = await updateDisplayName(sql, currentUser(c).user.id, body.displayName);
      return c.json({ user });
    })
    .post('/password', docs.password, async (c) => {
      const { user, session } = currentUser(c);
      const body = await readJson(c, passwordBody);
      const stored = await getPasswordHash(sql, user.id);
      if (!stored || !(await verifyPassword(stored, body.currentPassword))) {
        throw new ApiError(400, 'wrong_password', 'Current password is incorrect.', { field: 'currentPassword' });
      }
      const weak = checkPasswordRules(body.newPassword, { email: user.email });
      if (weak) throw new ApiError(400, 'weak_password', weak, { field: 'newPassword' });
      await updatePasswordHash(sql, user.id, await hashPassword(body.newPassword));
      // Whoever knew the old password may hold a session: end all but this one.
      await invalidateUserSessions(sql, user.id, session.id);
      c.var.log.info('password changed; other sessions ended');
      return c.json({ ok: true });
    })
    .get('/sessions', docs.sessions, async (c) => {
      const { user, session } = currentUser(c);
      const sessions = await listUserSessions(sql, user.id);
      return c.json({
        sessions: sessions.map((s) => ({
          id: s.id,
          current: s.id === session.id,
          createdAt: s.createdAt,
          lastSeenAt: s.lastSeenAt,
          expiresAt: s.expiresAt,
          userAgent: s.userAgent,
          ip: s.ip,
        })),
      });
    })
    .delete('/sessions/:id', docs.revoke, async (c) => {
      const sessionId = parse(id, c.req.param('id'));
      if (!(await revokeUserSession(sql, currentUser(c).user.id, sessionId))) throw notFound('No such session.');
      return c.json({ ok: true });
    });
}
