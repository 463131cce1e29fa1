import { Hono } from 'hono';
import { currentUser, requireAdmin } from './auth-middleware.ts';
import { invalidateUserSessions } from '../auth/sessions.ts';
import { listUsers, setUserActive, setUserRole } from '../auth/users.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { id } from './schemas.ts';
import { z } from 'zod';
import { User } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';

const roleBody = z.strictObject({ role: z.enum(['admin', 'member'], { error: 'must be admin or member' }) });

const tags = ['Administration'];
const oneUser = { 200: { description: 'The user after the change', schema: z.object({ user: User }) } };
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  list: describe({ tags, scope: 'session-only', summary: 'List people', description: 'Service accounts are managed with API tokens.', responses: { 200: { description: 'Active first', schema: z.object({ users: z.array(User) }) } } }),
  deactivate: describe({ tags, scope: 'session-only', summary: 'Deactivate a user', description: 'Ends their sessions at once; you cannot deactivate yourself.', responses: oneUser, errors: [409] }),
  activate: describe({ tags, scope: 'session-only', summary: 'Reactivate a user', responses: oneUser }),
  role: describe({
    tags,
    scope: 'session-only',
    summary: 'Make a person an admin or a member',
    description: 'Takes effect on their next request. 409 last_admin when it would leave no active admin.',
    body: roleBody,
    responses: oneUser,
    errors: [404, 409],
  }),
};

/** Admin: see users, deactivate (ending their sessions at once), reactivate, promote and demote. */
export function userRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireAdmin)
    .get('/', docs.list, async (c) => c.json({ users: await listUsers(sql) }))
    .post('/:id/deactivate', docs.deactivate, async (c) => {
      const userId = parse(id, c.req.param('id'));
      if (userId === currentUser(c).user.id) {
        throw new ApiError(409, 'cannot_deactivate_self', 'You cannot deactivate your own account. Ask another admin.');
      }
      const user = await sql.begin(async (tx) => {
        const updated = await setUserActive(tx, userId, false);
        if (updated) await invalidateUserSessions(tx, userId);
        return updated;
      });
      if (!user) throw notFound('No such user.');
      c.var.log.info({ targetUserId: userId }, 'user deactivated');
      return c.json({ user });
    })
    .post('/:id/activate', docs.activate, async (c) => {
      const user = await setUserActive(sql, parse(id, c.req.param('id')), true);
      if (!user) throw notFound('No such user.');
      c.var.log.info({ targetUserId: user.id }, 'user reactivated');
      return c.json({ user });
    })
    .post('/:id/role', docs.role, async (c) => {
      const userId = parse(id, c.req.param('id'));
      const { role } = await readJson(c, roleBody);
      const result = await setUserRole(sql, userId, role);
      if (!result.ok && result.reason === 'not_found') throw notFound('No such user.');
      if (!result.ok) throw new ApiError(409, 'last_admin', 'Warroom needs at least one active admin: make someone else an admin first.');
      c.var.log.info({ targetUserId: userId, userId: currentUser(c).user.id, role }, 'user role changed');
      return c.json({ user: result.user });
    });
}
