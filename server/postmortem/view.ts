/** The JSON views of the postmortem API, typed by their schemas in server/shared/api/ (so a view that drifts does not compile). */
import type { z } from 'zod';
import type { ActionItemSchema } from '../shared/api/action-items.ts';
import type { PostmortemEnvelope } from '../shared/api/postmortems.ts';
import type { Incident } from '../incidents/repo.ts';
import type { ActionItem } from './action-items.ts';
import type { Postmortem, PostmortemVersion } from './repo.ts';
import type { ReviewCan } from './review.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toPostmortemView(
  incident: Incident,
  postmortem: Postmortem | null,
  versions: readonly Omit<PostmortemVersion, 'snapshot' | 'markdown' | 'html'>[],
  can: ReviewCan,
  actionItems: { total: number; done: number; overdue: number },
  now: Date,
): z.infer<typeof PostmortemEnvelope> {
  return {
    incident: {
      id: incident.id,
      number: incident.number,
      title: incident.title,
      severity: incident.severity,
      state: incident.state,
      services: incident.services,
      resolvedAt: iso(incident.resolvedAt),
      closedAt: iso(incident.closedAt),
    },
    postmortem: postmortem
      ? {
          docId: postmortem.docId,
          state: postmortem.state,
          reviewDueAt: postmortem.reviewDueAt.toISOString(),
          overdue: postmortem.state !== 'published' && postmortem.reviewDueAt.getTime() < now.getTime(),
          generatedAt: postmortem.generatedAt.toISOString(),
          submittedAt: iso(postmortem.submittedAt),
          submittedBy: postmortem.submittedBy,
          publishedAt: iso(postmortem.publishedAt),
          publishedBy: postmortem.publishedBy,
          version: postmortem.version,
          versions: versions.map((v) => ({ version: v.version, publishedAt: v.publishedAt.toISOString(), publishedBy: v.publishedBy })),
        }
      : null,
    can,
    actionItems,
  };
}

export function toActionItemView(item: ActionItem): z.infer<typeof ActionItemSchema> {
  return {
    id: item.id,
    origin: item.origin,
    incident: item.incident,
    title: item.title,
    owner: item.owner,
    dueDate: item.dueDate,
    kind: item.kind,
    priority: item.priority,
    status: item.status,
    problemCategory: item.problemCategory,
    overdue: item.overdue,
    doneAt: iso(item.doneAt),
    doneBy: item.doneBy,
    doneNote: item.doneNote,
    createdAt: item.createdAt.toISOString(),
    publishedAt: iso(item.publishedAt),
  };
}
