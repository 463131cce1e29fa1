import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/middleware.ts';
import { DEFAULT_INTERVALS } from '../comms/cadence.ts';
import type { CommsLive } from '../comms/live.ts';
import { changeCadence, communicationsOf, publishUpdate, type CommsFailure, type CommsStanding } from '../comms/publish.ts';
import { incidentCadence, type AudienceCadence } from '../comms/schedule.ts';
import { AUDIENCES, type PublishedUpdate } from '../comms/types.ts';
import { listUpdates } from '../comms/updates.ts';
import type { Actor } from '../incidents/commands.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError } from './errors.ts';
import { parseIncidentRef } from './incidents.ts';
import { CadenceList, Update } from './openapi/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';

const audience = z.enum(AUDIENCES, { error: `must be one of ${AUDIENCES.join(', ')}` });
const publishBody = z.object({
  audience,
  body: z.string().trim().min(1, 'must not be empty').max(20_000, 'must be at most 20000 characters'),
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,200}$/, 'must be 8 to 200 letters, digits, - or _'),
});
const minutes = z.number().int().min(1, 'must be 1 to 1440 minutes, or null for no timer').max(1440, 'must be 1 to 1440 minutes, or null for no timer');
// intervalMinutes: a number sets the timer, null turns it off (updates on state changes only); useDefault drops the override.
const cadenceBody = z
  .object({ audience, intervalMinutes: minutes.nullable().optional(), useDefault: z.boolean().optional() })
  .refine((body) => body.useDefault || body.intervalMinutes !== undefined, {
    message: 'give minutes, null for no timer, or useDefault: true',
    path: ['intervalMinutes'],
  });

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toUpdateView(update: PublishedUpdate) {
  return {
    id: update.id,
    incidentRef: update.incidentRef,
    audience: update.audience,
    bodyMarkdown: update.bodyMarkdown,
    bodyHtml: update.bodyHtml,
    author: { id: update.authorId, displayName: update.authorName },
    publishedAt: update.publishedAt.toISOString(),
    incidentState: update.incidentState,
    incidentTitle: update.incidentTitle,
    severity: update.severity,
  };
}

function toCadenceView(cadence: AudienceCadence, severity: 1 | 2 | 3 | 4) {
  return {
    audience: cadence.audience,
    intervalMinutes: cadence.intervalMinutes,
    defaultIntervalMinutes: DEFAULT_INTERVALS[severity][cadence.audience],
    overridden: cadence.overridden,
    lastPublishedAt: iso(cadence.lastPublishedAt),
    nextDueAt: iso(cadence.nextDueAt),
    prompted: cadence.prompted,
    state: cadence.state,
  };
}

function actorOf(c: Context<AppEnv>): Actor {
  const { user } = currentUser(c);
  return { id: user.id, displayName: user.displayName, isAdmin: user.role === 'admin' };
}

function orThrow<T extends { ok: true }>(result: T | CommsFailure): T {
  if (!result.ok) throw new ApiError(result.status, result.code, result.message, { field: result.field });
  return result;
}

const updatesQuery = z.object({ audience: audience.optional() });

const tags = ['Communications'];
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  publish: describe({
    tags,
    summary: 'Publish a stakeholder update',
    description:
      'Commander, communicator or admin. Fills the template placeholders, stores the update for good and sends it to the audience’s webhooks ' +
      '(and the public status page for audience public). Safe to retry: the same idempotencyKey answers the first update with 200 instead of publishing twice.',
    body: publishBody,
    responses: {
      201: { description: 'Published', schema: z.object({ update: Update, created: z.literal(true) }) },
      200: { description: 'Already published with this idempotencyKey: the earlier update', schema: z.object({ update: Update, created: z.literal(false) }) },
    },
    errors: [403, 409],
  }),
  list: describe({
    tags,
    summary: 'Published updates, newest first',
    query: updatesQuery,
    responses: { 200: { description: 'The updates', schema: z.object({ updates: z.array(Update) }) } },
  }),
  cadence: describe({
    tags,
    summary: 'When the next update to each audience is due',
    responses: { 200: { description: 'Cadence per audience', schema: CadenceList } },
  }),
  setCadence: describe({
    tags,
    summary: 'Set or reset an audience’s update interval',
    description: 'Commander, communicator or admin. intervalMinutes null means no timer (updates on state changes only); useDefault drops the override.',
    body: cadenceBody,
    responses: { 200: { description: 'Cadence per audience after the change', schema: CadenceList } },
    errors: [403, 409],
  }),
  seedDrafts: describe({
    tags: ['War room'],
    summary: 'Create any missing update drafts in the war room',
    description: 'Drafts are seeded when an incident is declared; this fills in the ones that are missing. Responders and communicators.',
    responses: { 204: { description: 'Drafts are in place' } },
    errors: [403],
  }),
};

/** Stakeholder updates of one incident: publish, history, cadence, drafts. Mounted under /incidents next to incidentRoutes. */
export function commsRoutes({ sql }: AppDeps, live: CommsLive) {
  const visible = async (c: Context<AppEnv>): Promise<CommsStanding> =>
    orThrow(await communicationsOf(sql, actorOf(c), parseIncidentRef(c.req.param('ref') ?? '')));

  return new Hono<AppEnv>()
    .use(requireUser)
    .post('/:ref/updates', docs.publish, async (c) => {
      const actor = actorOf(c);
      const number = parseIncidentRef(c.req.param('ref'));
      const body = await readJson(c, publishBody);
      const { update, created, incident } = orThrow(await publishUpdate(sql, actor, number, body));
      if (created) {
        c.var.log.info({ incidentId: incident.id, userId: actor.id, updateId: update.id, audience: update.audience }, 'update published');
        await live.published(incident.docId, update);
      }
      return c.json({ update: toUpdateView(update), created }, created ? 201 : 200);
    })
    .get('/:ref/updates', docs.list, async (c) => {
      const { incident } = await visible(c);
      const query = parse(updatesQuery, c.req.query());
      return c.json({ updates: (await listUpdates(sql, incident.id, query.audience ?? null)).map(toUpdateView) });
    })
    .get('/:ref/cadence', docs.cadence, async (c) => {
      const { incident, canCommunicate } = await visible(c);
      const cadence = await incidentCadence(sql, incident);
      return c.json({ cadence: cadence.map((item) => toCadenceView(item, incident.severity)), canCommunicate, now: new Date().toISOString() });
    })
    .put('/:ref/cadence', docs.setCadence, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, cadenceBody);
      const { incident } = orThrow(
        await changeCadence(sql, actor, parseIncidentRef(c.req.param('ref')), {
          audience: body.audience,
          intervalMinutes: body.intervalMinutes ?? null,
          useDefault: body.useDefault ?? false,
        }),
      );
      c.var.log.info({ incidentId: incident.id, userId: actor.id, audience: body.audience, intervalMinutes: body.intervalMinutes, useDefault: body.useDefault }, 'cadence changed');
      const cadence = await incidentCadence(sql, incident);
      return c.json({ cadence: cadence.map((item) => toCadenceView(item, incident.severity)), canCommunicate: true, now: new Date().toISOString() });
    })
    // Drafts are seeded at declaration; this fills in any that are missing (older incidents, a failed seed).
    .post('/:ref/drafts', docs.seedDrafts, async (c) => {
      const { incident, access, canCommunicate } = await visible(c);
      if (access !== 'write' && !canCommunicate) throw new ApiError(403, 'forbidden', 'Observers are read-only.');
      await live.seedDrafts(incident.docId, incident.severity);
      return c.body(null, 204);
    });
}
