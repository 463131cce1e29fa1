import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { MARKDOWN_LIMITS } from '../shared/markdown-limits.ts';
import { actorOf } from './actor.ts';
import { DEFAULT_INTERVALS } from '../shared/cadence.ts';
import type { CommsLive } from '../comms/live.ts';
import { changeCadence, communicationsIn, publishUpdate } from '../comms/publish.ts';
import { incidentCadence, type AudienceCadence } from '../comms/schedule.ts';
import { AUDIENCES } from '../shared/audiences.ts';
import { type PublishedUpdate } from '../comms/types.ts';
import { listUpdates } from '../comms/updates.ts';

import type { AppDeps } from './context.ts';
import { ApiError, successOf } from './errors.ts';
import type { IncidentEnv } from './incident-access.ts';
import { CadenceList, Update } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';
import type * as api from '../shared/api/components.ts';

const audience = z.enum(AUDIENCES, { error: `must be one of ${AUDIENCES.join(', ')}` });
const publishBody = z.object({
  audience,
  body: z.string().trim().min(1, 'must not be empty').max(MARKDOWN_LIMITS.update, `must be at most ${MARKDOWN_LIMITS.update} characters`),
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

export function toUpdateView(update: PublishedUpdate): z.infer<typeof api.Update> {
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

function toCadenceView(cadence: AudienceCadence, severity: 1 | 2 | 3 | 4): z.infer<typeof api.Cadence> {
  return {
    audience: cadence.audience,
    intervalMinutes: cadence.intervalMinutes,
    defaultIntervalMinutes: DEFAULT_INTERVALS[severity][cadence.audience],
    overridden: cadence.overridden,
    lastPublishedAt: iso(cadence.lastPublishedAt),
    nextDueAt: iso(cadence.nextDueAt),
    prompted: cadence.prompted,
    deadlineAt: iso(cadence.deadlineAt),
    state: cadence.state,
  };
}

const updatesQuery = z.object({ audience: audience.optional() });
const finalDraftBody = z.object({ audience });

const tags = ['Communications'];
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  publish: describe({
    tags,
    scope: 'updates:publish',
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
    scope: 'incidents:read',
    summary: 'Published updates, newest first',
    query: updatesQuery,
    responses: { 200: { description: 'The updates', schema: z.object({ updates: z.array(Update) }) } },
  }),
  cadence: describe({
    tags,
    scope: 'incidents:read',
    summary: 'When the next update to each audience is due',
    responses: { 200: { description: 'Cadence per audience', schema: CadenceList } },
  }),
  setCadence: describe({
    tags,
    scope: 'updates:publish',
    summary: 'Set or reset an audience’s update interval',
    description: 'Commander, communicator or admin. intervalMinutes null means no timer (updates on state changes only); useDefault drops the override.',
    body: cadenceBody,
    responses: { 200: { description: 'Cadence per audience after the change', schema: CadenceList } },
    errors: [403, 409],
  }),
  seedDrafts: describe({
    tags: ['War room'],
    scope: 'incidents:write',
    summary: 'Create any missing update drafts in the war room',
    description: 'Drafts are seeded when an incident is declared; this fills in the ones that are missing. Responders and communicators.',
    responses: { 204: { description: 'Drafts are in place' } },
    errors: [403],
  }),
  finalDraft: describe({
    tags: ['War room'],
    scope: 'incidents:write',
    summary: 'Start an audience’s final update',
    description:
      'Once the incident is resolved, replaces the audience’s draft with the final-update template (it says the problem is resolved and promises no further update). Responders and communicators; 409 before the incident is resolved.',
    body: finalDraftBody,
    responses: { 200: { description: 'Whether the draft changed (false: it already was the final template)', schema: z.object({ changed: z.boolean() }) } },
    errors: [403, 409],
  }),
};

/** Stakeholder updates of one incident: publish, history, cadence, drafts. Behind `resolveIncident` (incident-access.ts). */
export function commsRoutes({ sql }: AppDeps, live: CommsLive) {
  const visible = (c: Context<IncidentEnv>) => communicationsIn(c.var.seen);

  return new Hono<IncidentEnv>()
    .post('/:ref/updates', docs.publish, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, publishBody);
      const { update, created, incident } = successOf(await publishUpdate(sql, actor, c.var.seen.incident.number, body));
      if (created) {
        c.var.log.info({ incidentId: incident.id, userId: actor.id, updateId: update.id, audience: update.audience }, 'update published');
        await live.published(incident.docId, update);
      }
      return c.json({ update: toUpdateView(update), created }, created ? 201 : 200);
    })
    .get('/:ref/updates', docs.list, async (c) => {
      const { incident } = visible(c);
      const query = parse(updatesQuery, c.req.query());
      return c.json({ updates: (await listUpdates(sql, incident.id, query.audience ?? null)).map(toUpdateView) });
    })
    .get('/:ref/cadence', docs.cadence, async (c) => {
      const { incident, canCommunicate } = visible(c);
      const cadence = await incidentCadence(sql, incident);
      return c.json({ cadence: cadence.map((item) => toCadenceView(item, incident.severity)), canCommunicate, now: new Date().toISOString() });
    })
    .put('/:ref/cadence', docs.setCadence, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, cadenceBody);
      const { incident } = successOf(
        await changeCadence(sql, actor, c.var.seen.incident.number, {
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
      const { incident, access, canCommunicate } = visible(c);
      if (access !== 'write' && !canCommunicate) throw new ApiError(403, 'forbidden', 'Observers are read-only.');
      await live.seedDrafts(incident.docId, incident.severity);
      return c.body(null, 204);
    })
    .post('/:ref/drafts/final', docs.finalDraft, async (c) => {
      const { incident, access, canCommunicate } = visible(c);
      const body = await readJson(c, finalDraftBody);
      if (access !== 'write' && !canCommunicate) throw new ApiError(403, 'forbidden', 'Observers are read-only.');
      if (incident.state !== 'resolved') {
        throw new ApiError(409, 'not_resolved', 'The final update is for a resolved incident. Resolve it first (a closed incident owes no more updates).');
      }
      const changed = await live.startFinalDraft(incident.docId, body.audience);
      c.var.log.info({ incidentId: incident.id, audience: body.audience, changed }, 'final update draft started');
      return c.json({ changed });
    });
}
