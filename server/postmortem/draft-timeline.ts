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
import { smallestSteps } from '../shared/selection.ts';
import { compareText, isCanonicalTime, isPlainId } from '../shared/text-order.ts';
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

/** An entry with what ordering it needs: its place in the input breaks the ties `byTime` leaves, as a stable sort would. */
interface Ranked {
  entry: PostmortemTimelineEntry;
  index: number;
  /**
   * Time then id as one string, when both compare as code units (see
   * text-order.ts); canonical times all have the same length, so comparing
   * keys compares times first. Null when either must be collated.
   */
  key: string | null;
}

/** `byTime`, then input order: the order a stable sort by `byTime` gives, as a total order. */
function compareRanked(a: Ranked, b: Ranked): number {
  if (a.key !== null && b.key !== null) return a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index;
  return (
    compareText(a.entry.at, b.entry.at, isCanonicalTime(a.entry.at) && isCanonicalTime(b.entry.at)) ||
    compareText(a.entry.id, b.entry.id, isPlainId(a.entry.id) && isPlainId(b.entry.id)) ||
    a.index - b.index
  );
}

const rank = (entry: PostmortemTimelineEntry, index: number): Ranked => ({
  entry,
  index,
  key: isCanonicalTime(entry.at) && isPlainId(entry.id) ? entry.at + entry.id : null,
});

/** Entries handled between two chances to pause (see `mergeTimelineInSlices`). */
const SLICE = 2_048;

/**
 * The draft's timeline from entries in any order: all of them in time order
 * when they fit, else the `limit - 1` kept (see above) and the marker. The
 * same result as sorting everything by `byTime` and cutting, but a huge
 * timeline costs a selection and a sort of what is kept, not a sort of all.
 * A generator so the work can stop between slices; it yields nothing.
 */
function* limitSteps(entries: readonly PostmortemTimelineEntry[], limit: number): Generator<void, PostmortemTimelineEntry[]> {
  const ranked: Ranked[] = [];
  const events: Ranked[] = [];
  const scribes: Ranked[] = [];
  for (let index = 0; index < entries.length; index++) {
    const r = rank(entries[index], index);
    ranked.push(r);
    (r.entry.source === 'scribe' ? scribes : events).push(r);
    if (index % SLICE === SLICE - 1) yield;
  }
  if (entries.length <= limit) return ranked.sort(compareRanked).map((r) => r.entry);
  const keep = limit - 1;
  const kept = events.length >= keep ? yield* smallestSteps(events, keep, compareRanked) : [...events, ...(yield* smallestSteps(scribes, keep - events.length, compareRanked))];
  const keptSet = new Set(kept);
  let firstLeft: Ranked | null = null;
  for (let index = 0; index < ranked.length; index++) {
    const r = ranked[index];
    if (!keptSet.has(r) && (!firstLeft || compareRanked(r, firstLeft) < 0)) firstLeft = r;
    if (index % SLICE === SLICE - 1) yield;
  }
  const leftCount = entries.length - kept.length;
  const marker: PostmortemTimelineEntry = {
    id: 'entries-not-copied',
    at: firstLeft!.entry.at,
    kind: 'note',
    source: 'event',
    text: `${leftCount.toLocaleString('en-US')} war-room entries from here on are not copied into this draft (it keeps ${limit.toLocaleString('en-US')}); the war room's replay shows every one.`,
    author: null,
    collapsed: false,
  };
  // Kept in order first, the marker last, then a stable sort: a kept entry tied with the marker stays before it.
  return [...kept.sort(compareRanked).map((r) => r.entry), marker].sort(byTime);
}

function* mergeSteps(warRoom: readonly TimelineEntry[], updates: readonly DraftUpdate[], limit: number): Generator<void, PostmortemTimelineEntry[]> {
  const entries = new Map<string, PostmortemTimelineEntry>();
  for (let index = 0; index < warRoom.length; index++) {
    const entry = warRoom[index];
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
    if (index % SLICE === SLICE - 1) yield;
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
  return yield* limitSteps([...entries.values()], limit);
}

function finish<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export function limitTimeline(entries: readonly PostmortemTimelineEntry[], limit = DRAFT_TIMELINE_LIMIT): PostmortemTimelineEntry[] {
  return finish(limitSteps(entries, limit));
}

export function mergeTimeline(warRoom: readonly TimelineEntry[], updates: readonly DraftUpdate[], limit = DRAFT_TIMELINE_LIMIT): PostmortemTimelineEntry[] {
  return finish(mergeSteps(warRoom, updates, limit));
}

/** `mergeTimeline`, awaiting `pause` between slices: a 100,000-entry war room took 100 ms and more in one go. */
export async function mergeTimelineInSlices(
  warRoom: readonly TimelineEntry[],
  updates: readonly DraftUpdate[],
  pause: () => Promise<void>,
  limit = DRAFT_TIMELINE_LIMIT,
): Promise<PostmortemTimelineEntry[]> {
  const steps = mergeSteps(warRoom, updates, limit);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}
