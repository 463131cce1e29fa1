/**
 * POST /api/incidents/:ref/timeline: a timeline entry from outside the browser
 * (a script, a chat bot, a deploy hook). The timeline lives in the war room's
 * live document, so the entry is written through the collaboration server like
 * the automatic ones (server/incidents/live.ts): persisted, broadcast to open
 * war rooms, attributed to the caller.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser } from './auth-middleware.ts';
import { TIMELINE_KINDS } from '../shared/war-room-doc.ts';
import type { AppDeps } from './context.ts';
import { ApiError } from './errors.ts';
import type { IncidentEnv } from './incident-access.ts';
import { TimelineEntry as TimelineEntrySchema } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { readJson } from './validate.ts';

export const timelineBody = z.object({
  kind: z.enum(TIMELINE_KINDS, { error: `must be one of ${TIMELINE_KINDS.join(', ')}` }),
  text: z.string().trim().min(1, 'must not be empty').max(5000, 'must be at most 5000 characters'),
  // Backfilling ("we restarted the pods at 14:02") is as common as logging now; stored as UTC.
  at: z.iso
    .datetime({ offset: true, error: 'must be an ISO date-time like 2026-03-01T14:05:00Z' })
    .transform((s) => new Date(s).toISOString())
    .optional(),
});

export function timelineRoutes({ sql, live }: AppDeps) {
  return new Hono<IncidentEnv>().post(
    '/:ref/timeline',
    describe({
      tags: ['War room'],
      scope: 'incidents:write',
      summary: 'Add a timeline entry',
      description:
        'Adds an entry to the war room’s timeline, shown at once to everyone in the war room and attributed to the caller. ' +
        '`at` backfills when it happened (default: now). Needs write access to the war room: responders, role holders and admins, while the incident is not closed.',
      body: timelineBody,
      responses: { 201: { description: 'The entry as stored', schema: z.object({ entry: TimelineEntrySchema }) } },
      errors: [403, 503],
    }),
    async (c) => {
      const { user } = currentUser(c);
      const { seen } = c.var;
      const body = await readJson(c, timelineBody);
      if (seen.permissions.access !== 'write') {
        throw seen.standing.closed
          ? new ApiError(403, 'incident_closed', 'This incident is closed: its war room is read-only. Reopen it to add to the timeline.')
          : new ApiError(403, 'forbidden', 'Only responders can add to the timeline. Join the incident as a responder first.');
      }
      if (!live) throw new ApiError(503, 'live_unavailable', 'The war room is not available on this server right now. Try again.');
      const { incident } = seen;
      const entry = (await live.runCommand(incident.docId, user.id, {
        kind: 'add-timeline-entry',
        entry: { kind: body.kind, text: body.text, at: body.at ?? new Date().toISOString(), author: { id: user.id, name: user.displayName }, hypothesisId: null },
      }))!;
      c.var.log.info({ incidentId: incident.id, userId: user.id, entryId: entry.id, kind: body.kind }, 'timeline entry added through the API');
      return c.json({ entry }, 201);
    },
  );
}
