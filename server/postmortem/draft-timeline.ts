/**
 * The postmortem's merged timeline: the war room's entries (automatic ones as
 * 'event', the rest as 'scribe') and the published stakeholder updates, in
 * time order. Publishing an update already writes an automatic war-room entry
 * with id `update-<id>` (server/comms/live.ts); the update itself replaces it,
 * so each update shows once whatever the war room holds.
 */
import { timelineEntryIdForUpdate } from '../comms/live.ts';
import type { Audience } from '../shared/audiences.ts';
import type { PublishedUpdate } from '../comms/types.ts';
import type { PostmortemTimelineEntry } from '../shared/postmortem-doc.ts';
import { firstLine } from '../shared/update-template.ts';
import { formatUtcDateTime } from '../shared/utc-format.ts';
import type { Removal, TimelineEntry } from '../shared/war-room-doc.ts';

export type DraftUpdate = Pick<PublishedUpdate, 'id' | 'audience' | 'bodyMarkdown' | 'authorId' | 'authorName' | 'publishedAt'>;

const AUDIENCE_NAMES: Record<Audience, string> = { responders: 'responders', support: 'support', leadership: 'leadership', public: 'public' };

export function describePublishedUpdate(update: Pick<DraftUpdate, 'audience' | 'bodyMarkdown'>): string {
  const line = firstLine(update.bodyMarkdown);
  return `Published the ${AUDIENCE_NAMES[update.audience]} update${line ? `: ${line}` : ''}`;
}

export const removalMarker = (removed: Removal) => `Entry removed by ${removed.by.name} at ${formatUtcDateTime(new Date(removed.at))}`;

const byTime = (a: PostmortemTimelineEntry, b: PostmortemTimelineEntry) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id);

/**
 * How many entries a generated draft copies. A real incident's timeline is a
 * few hundred entries; a war room filled with 100,000 made a 10 MB
 * postmortem that took seconds to write and store on the server's thread,
 * and would take as long in every reviewer's browser. Automatic events and
 * published updates (the record of what happened and what was said) go in
 * first, then the scribe's entries in time order; a marker says how many were
 * left out. Replay still shows the war room entry by entry.
 */
export const DRAFT_TIMELINE_LIMIT = 2_000;

export function limitTimeline(entries: readonly PostmortemTimelineEntry[], limit = DRAFT_TIMELINE_LIMIT): PostmortemTimelineEntry[] {
  if (entries.length <= limit) return [...entries];
  const kept = new Set([...entries.filter((e) => e.source !== 'scribe'), ...entries.filter((e) => e.source === 'scribe')].slice(0, limit - 1));
  const left = entries.filter((e) => !kept.has(e));
  const marker: PostmortemTimelineEntry = {
    id: 'entries-not-copied',
    at: left[0].at,
    kind: 'note',
    source: 'event',
    text: `${left.length.toLocaleString('en-US')} war-room entries from here on are not copied into this draft (it keeps ${limit.toLocaleString('en-US')}); the war room's replay shows every one.`,
    author: null,
    collapsed: false,
  };
  return [...entries.filter((e) => kept.has(e)), marker].sort(byTime);
}

export function mergeTimeline(warRoom: readonly TimelineEntry[], updates: readonly DraftUpdate[]): PostmortemTimelineEntry[] {
  const entries = new Map<string, PostmortemTimelineEntry>();
  for (const entry of warRoom) {
    entries.set(entry.id, {
      id: entry.id,
      at: entry.at,
      kind: entry.kind,
      source: entry.auto ? 'event' : 'scribe',
      // A removed entry leaves its marker, not its text: the record shows that something was taken out, by whom.
      text: entry.removed ? removalMarker(entry.removed) : entry.text,
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
  return limitTimeline([...entries.values()].sort(byTime));
}
