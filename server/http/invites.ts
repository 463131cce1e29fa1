import { Hono } from 'hono';
import { z } from 'zod';
import { createInvite, listInvites, revokeInvite } from '../auth/invites.ts';
import { currentUser, requireAdmin } from '../auth/middleware.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { notFound } from './errors.ts';
import { expectedOrigin } from './origin-check.ts';
import { email, id } from './schemas.ts';
import { parse, readJson } from './validate.ts';

const createBody = z.object({ email: email.optional().nullable() });

/** Admin: invite links (single use, 7 days, optionally bound to one email). */
export function inviteRoutes({ sql, config }: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireAdmin)
    .get('/', async (c) => c.json({ invites: await listInvites(sql) }))
    .post('/', async (c) => {
      const body = await readJson(c, createBody);
      const { token, invite } = await createInvite(sql, { createdBy: currentUser(c).user.id, email: body.email || null });
      const url = `${expectedOrigin(c.req.url, config.origin)}/signup?invite=${token}`;
      c.var.log.info({ inviteId: invite.id }, 'invite created');
      return c.json({ invite, url }, 201);
    })
    .delete('/:id', async (c) => {
      if (!(await revokeInvite(sql, parse(id, c.req.param('id'))))) throw notFound('No pending invite with that id.');
      return c.json({ ok: true });
    });
}
