import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  countActiveTokens,
  createPersonalToken,
  createServiceToken,
  listApiTokens,
  revokeApiToken,
  type ApiToken,
} from '../auth/api-tokens.ts';
import { currentUser, requireAdmin, requireUser } from './auth-middleware.ts';
import { SCOPES } from '../auth/scopes.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, notFound } from './errors.ts';
import { id } from './schemas.ts';
import { ApiToken as ApiTokenSchema } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';
import type * as api from '../shared/api/components.ts';

// Enough for every script a person runs; a runaway loop creating tokens stops here.
const MAX_ACTIVE_TOKENS_PER_USER = 50;

const createBody = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
  scopes: z
    .array(z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` }))
    .min(1, 'pick at least one scope')
    .transform((scopes) => SCOPES.filter((s) => scopes.includes(s))),
  expiresAt: z.iso
    .datetime({ offset: true, error: 'must be an ISO date-time like 2026-03-01T14:05:00Z' })
    .transform((s) => new Date(s))
    .refine((date) => date.getTime() > Date.now(), 'must be in the future')
    .nullable()
    .optional(),
});

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** Never includes the secret or its hash: only POST answers the token, once. */
export const toTokenView = (t: ApiToken): z.infer<typeof api.ApiToken> => ({
  id: t.id,
  prefix: t.prefix,
  name: t.name,
  scopes: t.scopes,
  kind: t.kind,
  user: { id: t.userId, displayName: t.userName },
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: iso(t.lastUsedAt),
  expiresAt: iso(t.expiresAt),
  revokedAt: iso(t.revokedAt),
  status: t.status,
});

const tags = ['API tokens'];
const createdResponse = {
  201: {
    description: 'The token itself is in `token` and is shown only this once',
    schema: z.object({ token: z.string().meta({ description: 'wr_…: send as Authorization: Bearer' }), apiToken: ApiTokenSchema }),
  },
};
const revokedResponse = { 200: { description: 'Revoked: refused from now on', schema: z.object({ apiToken: ApiTokenSchema }) } };
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  mine: describe({ tags, scope: 'session-only', summary: 'Your personal API tokens', responses: { 200: { description: 'Every token you own', schema: z.object({ tokens: z.array(ApiTokenSchema) }) } } }),
  create: describe({
    tags,
    scope: 'session-only',
    summary: 'Create a personal API token',
    description: 'The token acts as you, limited to its scopes. Needs a browser session: a token cannot make tokens.',
    body: createBody,
    responses: createdResponse,
    errors: [409],
  }),
  revoke: describe({ tags, scope: 'session-only', summary: 'Revoke one of your tokens', responses: revokedResponse }),
  all: describe({ tags, scope: 'session-only', summary: 'Every API token (admin)', responses: { 200: { description: 'Personal and service tokens of everyone', schema: z.object({ tokens: z.array(ApiTokenSchema) }) } } }),
  createService: describe({
    tags,
    scope: 'session-only',
    summary: 'Create a service token (admin)',
    description: 'For integrations that should not act as a person: the token gets its own service account.',
    body: createBody,
    responses: createdResponse,
  }),
  revokeAny: describe({ tags, scope: 'session-only', summary: 'Revoke any token (admin)', responses: revokedResponse }),
};

function logged(c: Context<AppEnv>, token: ApiToken, what: string) {
  c.var.log.info({ tokenId: token.id, prefix: token.prefix, kind: token.kind, scopes: token.scopes, ownerId: token.userId }, what);
}

/** The signed-in user's personal API tokens. Token requests never reach here: these routes are session-only. */
export function myTokenRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser)
    .get('/', docs.mine, async (c) => c.json({ tokens: (await listApiTokens(sql, { userId: currentUser(c).user.id })).map(toTokenView) }))
    .post('/', docs.create, async (c) => {
      const { user } = currentUser(c);
      const body = await readJson(c, createBody);
      if ((await countActiveTokens(sql, user.id)) >= MAX_ACTIVE_TOKENS_PER_USER) {
        throw new ApiError(409, 'too_many_tokens', `You have ${MAX_ACTIVE_TOKENS_PER_USER} active tokens. Revoke one you no longer use first.`);
      }
      const { token, apiToken } = await createPersonalToken(sql, { ...body, expiresAt: body.expiresAt ?? null, createdBy: user.id });
      logged(c, apiToken, 'api token created');
      return c.json({ token, apiToken: toTokenView(apiToken) }, 201);
    })
    .delete('/:id', docs.revoke, async (c) => {
      const { user } = currentUser(c);
      const revoked = await revokeApiToken(sql, parse(id, c.req.param('id')), { userId: user.id, ownerId: user.id });
      if (!revoked) throw notFound('No such token.');
      logged(c, revoked, 'api token revoked');
      return c.json({ apiToken: toTokenView(revoked) });
    });
}

/** Admin: service tokens, and every token in the system to see and revoke. */
export function adminTokenRoutes({ sql }: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireAdmin)
    .get('/', docs.all, async (c) => c.json({ tokens: (await listApiTokens(sql)).map(toTokenView) }))
    .post('/', docs.createService, async (c) => {
      const body = await readJson(c, createBody);
      const { token, apiToken } = await createServiceToken(sql, { ...body, expiresAt: body.expiresAt ?? null, createdBy: currentUser(c).user.id });
      logged(c, apiToken, 'service token created');
      return c.json({ token, apiToken: toTokenView(apiToken) }, 201);
    })
    .delete('/:id', docs.revokeAny, async (c) => {
      const revoked = await revokeApiToken(sql, parse(id, c.req.param('id')), { userId: currentUser(c).user.id });
      if (!revoked) throw notFound('No such token.');
      logged(c, revoked, 'api token revoked by admin');
      return c.json({ apiToken: toTokenView(revoked) });
    });
}
