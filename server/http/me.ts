import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/middleware.ts';
import { checkPasswordRules, hashPassword, verifyPassword } from '../auth/password.ts';
import { invalidateUserSessions, listUserSessions, revokeUserSession } from '../auth/sessions.ts';
import { getPasswordHash, updateDisplayName, updatePasswordHash } from '../auth/users.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { displayName, id, password } from './schemas.ts';
import { parse, readJson } from './validate.ts';

const profileBody = z.object({ displayName });
const passwordBody = z.object({ currentPassword: password, newPassword: password });

/** The signed-in user's own account: profile, password, sessions. */
export function meRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser)
    .get('/', (c) => c.json({ user: currentUser(c).user }))
    .patch('/', async (c) => {
      const body = await readJson(c, profileBody);
      const user = await updateDisplayName(sql, currentUser(c).user.id, body.displayName);
      return c.json({ user });
    })
    .post('/password', async (c) => {
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
    .get('/sessions', async (c) => {
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
    .delete('/sessions/:id', async (c) => {
      const sessionId = parse(id, c.req.param('id'));
      if (!(await revokeUserSession(sql, currentUser(c).user.id, sessionId))) throw notFound('No such session.');
      return c.json({ ok: true });
    });
}
