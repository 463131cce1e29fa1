/**
 * The postmortem's merged timeline: the war room's entries (automatic ones as
 * 'event', the rest as 'scribe') and the published stakeholder updates, in
 * time order. Publishing an update already writes an automatic war-room entry
 * with id `update-<id>` (server/comms/live.ts); the update itself replaces it,
 * so each update shows once whatever the war room holds.
 */
import { timelineEntryIdForUpdate } from '../comms/live.ts';
import type { Audience, PublishedUpdate } from '../comms/types.ts';
import type { PostmortemTimelineEntry } from '../shared/postmortem-doc.ts';
import { firstLine } from '../shared/update-template.ts';
import type { TimelineEntry } from '../shared/war-room-doc.ts';

export type DraftUpdate = Pick<PublishedUpdate, 'id' | 'audience' | 'bodyMarkdown' | 'authorId' | 'authorName' | 'publishedAt'>;

const AUDIENCE_NAMES: Record<Audience, string> = { responders: 'responders', support: 'support', leadership: 'leadership', public: 'public' };

export function describePublishedUpdate(update: Pick<DraftUpdate, 'audience' | 'bodyMarkdown'>): string {
  const line = firstLine(update.bodyMarkdown);
  return `Published the ${AUDIENCE_NAMES[update.audience]} update${line ? `: ${line}` : ''}`;
}

export function mergeTimeline(warRoom: readonly TimelineEntry[], updates: readonly DraftUpdate[]): PostmortemTimelineEntry[] {
  const entries = new Map<string, PostmortemTimelineEntry>();
  for (const entry of warRoom) {
    entries.set(entry.id, {
      id: entry.id,
      at: entry.at,
      kind: entry.kind,
      source: entry.auto ? 'event' : 'scribe',
      text: entry.text,
      author: entry.author,
      collapsed: false,
    });
  }
  for (const update of updates) {
    const id = timelineEntryIdForUpdate(update);
    entries.set(id, {
      id,
      at: update.publishedAt.toISOString(),
      kind: 'communication',
      source: 'update',
      text: describePublishedUpdate(update),
      author: update.authorId ? { id: update.authorId, name: update.authorName } : null,
      collapsed: false,
    });
  }
  return [...entries.values()].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}
