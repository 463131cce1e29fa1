/**
 * The war room as it was at any moment of an incident (time-travel), and the
 * moments it changed. Mounted at /incidents next to the incident routes: the
 * paths (/:ref/replay, /:ref/replay/moments) are two and three segments deep,
 * so they never overlap the incident router's /:ref, and like comms and the
 * status page this router brings its own requireUser.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/middleware.ts';
import { findIncidentByNumber, type Incident } from '../incidents/repo.ts';
import { standingIn } from '../incidents/visibility.ts';
import { replayDocumentAt, replayTimeline } from '../postmortem/replay.ts';
import { draftsMap, readDraft, readHypotheses, readTimeline } from '../shared/war-room-doc.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { notFound } from './errors.ts';
import { parseIncidentRef } from './incidents.ts';
import { Hypothesis, TimelineEntry } from './openapi/components.ts';
import { describe } from './openapi/describe.ts';
import { parse } from './validate.ts';

const replayQuery = z.object({
  at: z.iso.datetime({ offset: true, error: 'must be an ISO date-time like 2026-03-01T14:05:00Z' }).transform((s) => new Date(s)),
});

// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  moments: describe({
    tags: ['War room'],
    summary: 'The moments the war room changed',
    description: 'For the replay slider: when each change happened and who made it, plus the incident’s start and end.',
    responses: {
      200: {
        description: 'Moments, oldest first',
        schema: z.object({ moments: z.array(z.object({ at: z.iso.datetime(), userId: z.string().nullable() })), startedAt: z.iso.datetime(), endedAt: z.iso.datetime().nullable() }),
      },
    },
  }),
  at: describe({
    tags: ['War room'],
    summary: 'The war room as it was at a moment',
    description: 'Timeline, hypotheses and drafts as of `at` (time travel).',
    query: replayQuery,
    responses: {
      200: {
        description: 'The board at that moment',
        schema: z.object({ at: z.iso.datetime(), timeline: z.array(TimelineEntry), hypotheses: z.array(Hypothesis), drafts: z.record(z.string(), z.string()) }),
      },
    },
  }),
};

export function replayRoutes({ sql }: AppDeps) {
  /** Same rule as every incident route: private incidents do not exist for outsiders. */
  async function loadVisible(user: { id: string; role: string }, ref: string): Promise<Incident> {
    const seen = await standingIn(sql, { id: user.id, isAdmin: user.role === 'admin' }, await findIncidentByNumber(sql, parseIncidentRef(ref)));
    if (!seen) throw notFound('No such incident.');
    return seen.incident;
  }

  return new Hono<AppEnv>()
    .use(requireUser)
    .get('/:ref/replay/moments', docs.moments, async (c) => {
      const incident = await loadVisible(currentUser(c).user, c.req.param('ref'));
      const moments = await replayTimeline(sql, incident.docId);
      return c.json({
        moments: moments.map((m) => ({ at: m.at.toISOString(), userId: m.userId })),
        startedAt: incident.startedAt.toISOString(),
        endedAt: (incident.closedAt ?? incident.resolvedAt)?.toISOString() ?? null,
      });
    })
    .get('/:ref/replay', docs.at, async (c) => {
      const { at } = parse(replayQuery, c.req.query());
      const incident = await loadVisible(currentUser(c).user, c.req.param('ref'));
      const doc = await replayDocumentAt(sql, incident.docId, at);
      try {
        const drafts: Record<string, string> = {};
        for (const audience of [...draftsMap(doc).keys()].sort()) drafts[audience] = readDraft(doc, audience) ?? '';
        return c.json({ at: at.toISOString(), timeline: readTimeline(doc), hypotheses: readHypotheses(doc), drafts });
      } finally {
        doc.destroy();
      }
    });
}
