import { Hono } from 'hono';
import { currentUser, requireAdmin } from '../auth/middleware.ts';
import { invalidateUserSessions } from '../auth/sessions.ts';
import { listUsers, setUserActive } from '../auth/users.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { id } from './schemas.ts';
import { z } from 'zod';
import { User } from './openapi/components.ts';
import { describe } from './openapi/describe.ts';
import { parse } from './validate.ts';

const tags = ['Administration'];
const oneUser = { 200: { description: 'The user after the change', schema: z.object({ user: User }) } };
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  list: describe({ tags, summary: 'List people', description: 'Service accounts are managed with API tokens.', responses: { 200: { description: 'Active first', schema: z.object({ users: z.array(User) }) } } }),
  deactivate: describe({ tags, summary: 'Deactivate a user', description: 'Ends their sessions at once; you cannot deactivate yourself.', responses: oneUser, errors: [409] }),
  activate: describe({ tags, summary: 'Reactivate a user', responses: oneUser }),
};

/** Admin: see users, deactivate (ending their sessions at once) and reactivate. */
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
    });
}
