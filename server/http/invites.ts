import { Hono } from 'hono';
import { z } from 'zod';
import { createInvite, listInvites, revokeInvite } from '../auth/invites.ts';
import { currentUser, requireAdmin } from '../auth/middleware.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { notFound } from './errors.ts';
import { expectedOrigin } from './origin-check.ts';
import { email, id } from './schemas.ts';
import { Invite, Ok } from './openapi/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';

const createBody = z.object({ email: email.optional().nullable() });

const tags = ['Administration'];
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  list: describe({ tags, summary: 'List invites', responses: { 200: { description: 'Every invite and its status', schema: z.object({ invites: z.array(Invite) }) } } }),
  create: describe({
    tags,
    summary: 'Create an invite link',
    description: 'Single use, valid 7 days; with an email only that address can use it. The link is shown once.',
    body: createBody,
    responses: { 201: { description: 'The invite and its link', schema: z.object({ invite: Invite, url: z.string() }) } },
  }),
  revoke: describe({ tags, summary: 'Revoke a pending invite', responses: { 200: { description: 'Revoked', schema: Ok } } }),
};

/** Admin: invite links (single use, 7 days, optionally bound to one email). */
export function inviteRoutes({ sql, config }: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireAdmin)
    .get('/', docs.list, async (c) => c.json({ invites: await listInvites(sql) }))
    .post('/', docs.create, async (c) => {
      const body = await readJson(c, createBody);
      const { token, invite } = await createInvite(sql, { createdBy: currentUser(c).user.id, email: body.email || null });
      const url = `${expectedOrigin(c.req.url, config.origin)}/signup?invite=${token}`;
      c.var.log.info({ inviteId: invite.id }, 'invite created');
      return c.json({ invite, url }, 201);
    })
    .delete('/:id', docs.revoke, async (c) => {
      if (!(await revokeInvite(sql, parse(id, c.req.param('id'))))) throw notFound('No pending invite with that id.');
      return c.json({ ok: true });
    });
}
