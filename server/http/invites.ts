import { Hono } from 'hono';
import { z } from 'zod';
import { createInvite, createInvites, listInvites, revokeInvite } from '../auth/invites.ts';
import { currentUser, requireAdmin } from './auth-middleware.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { notFound } from './errors.ts';
import { expectedOrigin } from './origin-check.ts';
import { email, id } from './schemas.ts';
import { Invite, InviteLink, Ok } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';

const createBody = z.object({ email: email.optional().nullable() });
export const MAX_INVITES_AT_ONCE = 50;
const batchBody = z.strictObject({
  emails: z
    .array(email)
    .min(1, 'list at least one email address')
    .max(MAX_INVITES_AT_ONCE, `at most ${MAX_INVITES_AT_ONCE} at once`)
    .refine((list) => new Set(list.map((e) => e.toLowerCase())).size === list.length, 'lists the same address twice'),
});
const tags = ['Administration'];
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  list: describe({ tags, scope: 'session-only', summary: 'List invites', responses: { 200: { description: 'Every invite and its status', schema: z.object({ invites: z.array(Invite) }) } } }),
  create: describe({
    tags,
    scope: 'session-only',
    summary: 'Create an invite link',
    description: 'Single use, valid 7 days; with an email only that address can use it. The link is shown once.',
    body: createBody,
    responses: { 201: { description: 'The invite and its link', schema: InviteLink } },
  }),
  batch: describe({
    tags,
    scope: 'session-only',
    summary: 'Create invite links for several people at once',
    description: `One single-use link per address (at most ${MAX_INVITES_AT_ONCE}), each valid 7 days and usable only by that address; all are created or none. The links are shown once.`,
    body: batchBody,
    responses: { 201: { description: 'The invites and their links, in the order of the addresses', schema: z.object({ invites: z.array(InviteLink) }) } },
  }),
  revoke: describe({ tags, scope: 'session-only', summary: 'Revoke a pending invite', responses: { 200: { description: 'Revoked', schema: Ok } } }),
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
    .post('/batch', docs.batch, async (c) => {
      const body = await readJson(c, batchBody);
      const created = await createInvites(sql, { createdBy: currentUser(c).user.id, emails: body.emails });
      const origin = expectedOrigin(c.req.url, config.origin);
      c.var.log.info({ inviteIds: created.map((x) => x.invite.id) }, 'invites created');
      return c.json({ invites: created.map(({ token, invite }) => ({ invite, url: `${origin}/signup?invite=${token}` })) }, 201);
    })
    .delete('/:id', docs.revoke, async (c) => {
      if (!(await revokeInvite(sql, parse(id, c.req.param('id'))))) throw notFound('No pending invite with that id.');
      return c.json({ ok: true });
    });
}
