/**
 * The draft's timeline is chosen by a selection instead of a sort of every
 * entry (a 100,000-entry war room held the server's thread for half a
 * second). It must still be exactly the draft the sort made: the reference
 * below is that code, kept as it was, and both run on generated war rooms
 * with ties in time, backfilled and oddly written times, removed entries,
 * ids that need collation, and updates that replace their war-room entry.
 */
import { describe, expect, it } from 'vitest';
import { timelineEntryIdForUpdate } from '../../server/comms/live.ts';
import { describePublishedUpdate, limitTimeline, mergeTimeline, removalMarker, type DraftUpdate } from '../../server/postmortem/draft-timeline.ts';
import type { PostmortemTimelineEntry } from '../../server/shared/postmortem-doc.ts';
import { TIMELINE_KINDS, type TimelineEntry } from '../../server/shared/war-room-doc.ts';

// --- the reference: sort everything, then cut --------------------------------

const byTime = (a: PostmortemTimelineEntry, b: PostmortemTimelineEntry) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id);

function referenceLimit(entries: readonly PostmortemTimelineEntry[], limit: number): PostmortemTimelineEntry[] {
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

function referenceMerge(warRoom: readonly TimelineEntry[], updates: readonly DraftUpdate[], limit: number): PostmortemTimelineEntry[] {
  const entries = new Map<string, PostmortemTimelineEntry>();
  for (const entry of warRoom) {
    entries.set(entry.id, {
      id: entry.id,
      at: entry.at,
      kind: entry.kind,
      source: entry.auto ? 'event' : 'scribe',
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
  return referenceLimit([...entries.values()].sort(byTime), limit);
}

// --- generated war rooms -------------------------------------------------------

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]) => items[int(items.length)];
  return { next, int, pick };
}

const START = Date.UTC(2026, 2, 12, 14, 0);
const ODD_IDS = ['Alpha', 'alpha', 'ALPHA', 'a_b', 'a-b', 'ab', 'é1', 'e1', 'E1', 'z 9', 'Z', '10', '9', 'update-x', 'entries-not-copied'];

function warRoom(count: number, seed: number): { timeline: TimelineEntry[]; updates: DraftUpdate[] } {
  const r = random(seed);
  const author = { id: 'u1', name: 'Ana' };
  const timeline: TimelineEntry[] = [];
  const ids = new Set<string>();
  // Few distinct minutes, so many entries share a time; each test meets the odd forms too.
  const time = () => {
    const ms = START + r.int(Math.max(2, count / 20)) * 60_000;
    const iso = new Date(ms).toISOString();
    const form = r.int(20);
    if (form === 0) return iso.replace('.000Z', 'Z');
    if (form === 1) return new Date(ms).toISOString().replace('Z', '+00:00');
    if (form === 2) return iso.slice(0, 10);
    return iso;
  };
  for (let i = 0; i < count; i++) {
    let id = r.int(30) === 0 ? `${r.pick(ODD_IDS)}${r.int(5) || ''}` : r.next().toString(36).slice(2, 12);
    while (ids.has(id)) id = `${id}-${r.int(10)}`;
    ids.add(id);
    const createdAt = new Date(START + r.int(count) * 1000).toISOString();
    // A backfilled entry was written later than the time it records.
    const at = r.int(10) === 0 ? new Date(START - r.int(600) * 60_000).toISOString() : time();
    timeline.push({
      id,
      at,
      kind: r.pick(TIMELINE_KINDS),
      text: `Entry ${i}`,
      author,
      hypothesisId: null,
      auto: r.int(8) === 0,
      eventId: null,
      createdAt,
      ...(r.int(12) === 0 ? { removed: { by: author, at: new Date(START + r.int(99) * 60_000).toISOString() } } : {}),
    });
  }
  const updates: DraftUpdate[] = [];
  for (let i = 0; i < Math.max(3, count / 200); i++) {
    // Half replace the war-room entry publishing them wrote; the rest are new.
    const id = i % 2 === 0 ? `u${i}` : `${r.pick([...ids].filter((x) => x.startsWith('update-')).map((x) => x.slice(7))) ?? `v${i}`}`;
    if (i % 2 === 0) timeline.splice(r.int(timeline.length), 0, { ...timeline[0], id: `update-${id}`, text: 'stand-in', auto: true });
    updates.push({ id, audience: r.pick(['public', 'leadership', 'support', 'responders'] as const), bodyMarkdown: `Update ${i}`, authorId: 'u1', authorName: 'Ana', publishedAt: new Date(START + r.int(count) * 30_000) });
  }
  return { timeline, updates };
}

describe('the draft timeline is the one sorting everything made', () => {
  it('on small war rooms against small limits, across many shapes', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { timeline, updates } = warRoom(20 + (seed % 180), seed);
      for (const limit of [1, 2, 7, 40, 150, 1_000]) {
        expect(mergeTimeline(timeline, updates, limit), `seed ${seed}, limit ${limit}`).toEqual(referenceMerge(timeline, updates, limit));
      }
    }
  });

  it('on a 100,000-entry war room with the real limit', () => {
    const { timeline, updates } = warRoom(100_000, 42);
    const draft = mergeTimeline(timeline, updates);
    expect(draft).toHaveLength(2_000);
    expect(draft).toEqual(referenceMerge(timeline, updates, 2_000));
  });

  it('on a 100,000-entry war room written at one instant, as a flood of entries is', () => {
    const { timeline, updates } = warRoom(100_000, 7);
    const at = new Date(START).toISOString();
    const flood = timeline.map((entry) => ({ ...entry, at, auto: false }));
    expect(mergeTimeline(flood, updates)).toEqual(referenceMerge(flood, updates, 2_000));
  });

  it('when the events alone pass the limit', () => {
    const { timeline, updates } = warRoom(5_000, 99);
    const events = timeline.map((entry, i) => ({ ...entry, auto: i % 3 !== 0 }));
    expect(mergeTimeline(events, updates, 500)).toEqual(referenceMerge(events, updates, 500));
    // Entries already in time order, as the draft's own tests hand them in.
    const sorted = referenceMerge(events, updates, Infinity);
    expect(limitTimeline(sorted, 500)).toEqual(referenceLimit(sorted, 500));
  });
});
