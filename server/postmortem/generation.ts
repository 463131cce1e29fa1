/**
 * Generation of the postmortem draft when an incident closes. Runs after the
 * close committed and after the war-room mirror wrote the close into the
 * timeline, so the draft's timeline ends with it. Idempotent: a retry (POST
 * /postmortem) or closing again after a reopen finds the draft and keeps it.
 */
import { slicer } from '../threads/slices.ts';
import { listUpdates } from '../comms/updates.ts';
import type { Sql } from '../db/sql.ts';
import { changesAccess, type LiveDocuments, type LiveMirror } from '../incidents/live.ts';
import { findIncidentById, type Incident } from '../incidents/repo.ts';
import type { Logger } from '../log.ts';
import { generatedDraftPieces, postmortemDocId } from '../shared/postmortem-doc.ts';
import type { TimelineEntry } from '../shared/war-room-doc.ts';
import { createPostmortemDocument } from './document.ts';
import { generateDraft } from './draft.ts';
import { mergeTimelineInSlices } from './draft-timeline.ts';
import { findPostmortem, insertPostmortem, type Postmortem } from './repo.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface GenerationDeps {
  sql: Sql;
  live: LiveDocuments;
  reviewDays: number;
}

/** Resolution (or the close when it lacks one) + the configured number of days. */
export function reviewDueAt(incident: Pick<Incident, 'resolvedAt' | 'closedAt'>, reviewDays: number, now: Date): Date {
  const from = incident.resolvedAt ?? incident.closedAt ?? now;
  return new Date(from.getTime() + reviewDays * DAY_MS);
}

/**
 * Ensures a closed incident has its postmortem: the document with the
 * generated draft, then the row (so the row never points at an empty
 * document). Returns null when the incident is not closed.
 */
export async function ensurePostmortem({ sql, live, reviewDays }: GenerationDeps, incidentId: string): Promise<Postmortem | null> {
  const existing = await findPostmortem(sql, incidentId);
  if (existing) return existing;
  const incident = await findIncidentById(sql, incidentId);
  if (!incident || incident.state !== 'closed') return null;
  const docId = postmortemDocId(incident.id);
  await createPostmortemDocument(sql, docId);
  const { hypotheses, timelinePages } = await live.runCommand(incident.docId, null, { kind: 'read-war-room' });
  const pause = slicer();
  const warRoomTimeline: TimelineEntry[] = [];
  const utf8 = new TextDecoder();
  for (const page of timelinePages) {
    warRoomTimeline.push(...(JSON.parse(utf8.decode(page)) as TimelineEntry[]));
    await pause();
  }
  const now = new Date();
  const updates = await listUpdates(sql, incident.id, null, 10_000);
  // The merge is the draft's heavy part on a huge war room: made in slices, then handed in.
  const timeline = await mergeTimelineInSlices(warRoomTimeline, updates, pause);
  const content = generateDraft({ incident, hypotheses, timeline: warRoomTimeline, updates, now }, timeline);
  // In pieces, each its own change (see generatedDraftPieces); the last completes the draft.
  let completedAt: string | null = null;
  for (const piece of generatedDraftPieces(content)) completedAt = await live.runCommand(docId, null, { kind: 'write-draft-piece', piece });
  // A draft written by an earlier attempt whose row insert failed keeps its own time.
  const generatedAt = new Date(completedAt ?? content.generatedAt);
  // No event of its own: the close that triggered it is the history; generatedAt says when.
  await insertPostmortem(sql, { incidentId: incident.id, docId, reviewDueAt: reviewDueAt(incident, reviewDays, now), generatedAt });
  return findPostmortem(sql, incident.id);
}

/**
 * Wraps the incident mirror so closing an incident drafts its postmortem, and
 * open postmortem editors follow changes of people and roles. A failure is
 * logged; POST /api/incidents/:ref/postmortem is the retry.
 */
export function withPostmortemGeneration(mirror: LiveMirror, deps: GenerationDeps | null, log: Logger): LiveMirror {
  return {
    async publish(incident, events) {
      await mirror.publish(incident, events);
      if (!deps) return;
      const actorId = events[0]?.actor?.id ?? null;
      const closed = events.find((event) => event.kind === 'state' && event.data.to === 'closed');
      try {
        if (closed) await ensurePostmortem(deps, incident.id);
        else if (events.some(changesAccess)) await deps.live.reauthorize(postmortemDocId(incident.id));
      } catch (error) {
        log.error({ err: error, incidentId: incident.id, userId: actorId }, closed ? 'could not generate the postmortem draft' : 'could not re-decide access to the postmortem');
      }
    },
  };
}
