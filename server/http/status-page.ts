import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { actorOf } from './actor.ts';
import { createLiveMirror } from '../incidents/live.ts';
import { readStatusPage, setStatusPage, type StatusPage, type StatusPageResult } from '../status/commands.ts';
import type { AppDeps } from './context.ts';
import { failed } from './errors.ts';
import type { IncidentEnv } from './incident-access.ts';
import { expectedOrigin } from './origin-check.ts';
import { StatusPage as StatusPageSchema } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { readJson } from './validate.ts';

const body = z.object({
  public: z.boolean({ error: 'must be true or false' }),
  publicTitle: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
});

// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  get: describe({
    tags: ['Communications'],
    scope: 'incidents:read',
    summary: 'The incident’s public status page',
    responses: { 200: { description: 'Whether it is public, its address and title', schema: z.object({ statusPage: StatusPageSchema }) } },
  }),
  set: describe({
    tags: ['Communications'],
    scope: 'updates:publish',
    summary: 'Make the status page public or private, or change its title',
    description: 'Commander or admin. The public sees only publicTitle, the state and updates published to the public audience. Drills never go public.',
    body,
    responses: { 200: { description: 'The status page after the change', schema: z.object({ statusPage: StatusPageSchema }) } },
    errors: [403, 409],
  }),
};

/** An incident's public status page, as the war room manages it (the public pages are status-public.ts). */
export function statusPageRoutes(deps: AppDeps) {
  const { sql, config } = deps;
  const live = createLiveMirror(deps.live ?? null, deps.log);

  const view = (c: Context<IncidentEnv>, page: StatusPage, canChange: boolean) => ({
    statusPage: {
      public: page.public,
      slug: page.slug,
      url: page.public && page.slug ? `${expectedOrigin(c.req.url, config.origin)}/status/${page.slug}` : null,
      publicTitle: page.publicTitle,
      publicSince: page.publicSince?.toISOString() ?? null,
      canChange,
    },
  });

  async function respond(c: Context<IncidentEnv>, result: StatusPageResult) {
    if (!result.ok) throw failed(result);
    if (result.events.length > 0) {
      // Open war rooms refetch on the event, so every commander's control shows the change.
      await live.publish(result.incident, result.events);
      c.var.log.info({ incidentId: result.incident.id, public: result.statusPage.public, slug: result.statusPage.slug }, 'status page changed');
    }
    return c.json(view(c, result.statusPage, result.can.canCommand));
  }

  return new Hono<IncidentEnv>()
    .get('/:ref/status-page', docs.get, async (c) => respond(c, await readStatusPage(sql, actorOf(c), c.var.seen.incident.number)))
    .post('/:ref/status-page', docs.set, async (c) => {
      const actor = actorOf(c);
      const input = await readJson(c, body);
      return respond(c, await setStatusPage(sql, actor, c.var.seen.incident.number, input));
    });
}
