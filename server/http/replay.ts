/**
 * The war room as it was at any moment of an incident (time travel), and the
 * slider's steps.
 *
 * Open to anyone who may read the incident, so what one request may cost is
 * bounded: the history is loaded once per incident and kept (server/replay/),
 * the heavy work runs off the main thread, and an answer holds at most
 * `limit` timeline entries (the newest at that moment) with the totals.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser } from './auth-middleware.ts';
import type { Incident } from '../incidents/repo.ts';
import type { BoardLimits } from '../replay/board.ts';
import type { ReplayService } from '../replay/service.ts';
import type { AppDeps } from './context.ts';
import { ApiError } from './errors.ts';
import type { IncidentEnv } from './incident-access.ts';
import { ReplayMoments, ReplayState } from '../shared/api/replay.ts';
import { describe } from './openapi/describe.ts';
import { parse } from './validate.ts';

export const REPLAY_LIMITS = { timeline: 500, maxTimeline: 2_000, hypotheses: 500, drafts: 16, draftChars: 100_000 } as const;

const replayQuery = z.object({
  at: z.iso.datetime({ offset: true, error: 'must be an ISO date-time like 2026-03-01T14:05:00Z' }).transform((s) => new Date(s)),
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(REPLAY_LIMITS.maxTimeline, `must be at most ${REPLAY_LIMITS.maxTimeline}`)
    .optional()
    .meta({ description: `Newest timeline entries to return (default ${REPLAY_LIMITS.timeline})` }),
});

// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  moments: describe({
    tags: ['War room'],
    scope: 'incidents:read',
    summary: 'The replay slider’s steps',
    description:
      'A person’s changes within a few seconds of each other make one step (at its last change); at most 2,000 steps, merged evenly beyond that. ' +
      'Plus the number of changes and the incident’s start and end.',
    responses: {
      200: {
        description: 'Steps, oldest first',
        schema: ReplayMoments,
      },
    },
    errors: [503],
  }),
  at: describe({
    tags: ['War room'],
    scope: 'incidents:read',
    summary: 'The war room as it was at a moment',
    description: 'Timeline (the newest `limit` entries by their time), hypotheses and update drafts as of `at` (time travel), with totals of what was left out.',
    query: replayQuery,
    responses: {
      200: {
        description: 'The board at that moment',
        schema: ReplayState,
      },
    },
    errors: [503],
  }),
};

const unavailable = (cause: unknown) =>
  new ApiError(503, 'replay_unavailable', 'The history of this war room cannot be replayed right now. Try again in a moment.', { cause });

export function replayRoutes({ log }: AppDeps, replay: ReplayService) {
  async function replaying<T>(incident: Incident, userId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      log.error({ err: error, incidentId: incident.id, userId }, 'replay failed');
      throw unavailable(error);
    }
  }

  return new Hono<IncidentEnv>()
    .get('/:ref/replay/moments', docs.moments, async (c) => {
      const { user } = currentUser(c);
      const { incident } = c.var.seen;
      const { changes, steps } = JSON.parse(await replaying(incident, user.id, () => replay.steps(incident.docId))) as { changes: number; steps: unknown[] };
      return c.json({
        moments: steps,
        changes,
        startedAt: incident.startedAt.toISOString(),
        endedAt: (incident.closedAt ?? incident.resolvedAt)?.toISOString() ?? null,
      });
    })
    .get('/:ref/replay', docs.at, async (c) => {
      const { at, limit } = parse(replayQuery, c.req.query());
      const { user } = currentUser(c);
      const { incident } = c.var.seen;
      const limits: BoardLimits = { timeline: limit ?? REPLAY_LIMITS.timeline, hypotheses: REPLAY_LIMITS.hypotheses, drafts: REPLAY_LIMITS.drafts, draftChars: REPLAY_LIMITS.draftChars };
      const body = await replaying(incident, user.id, () => replay.view(incident.docId, at, limits));
      return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8' });
    });
}
