import { describe, expect, it } from 'vitest';
import { limitTimeline, mergeTimeline } from '../../server/postmortem/draft-timeline.ts';
import type { PostmortemTimelineEntry, TimelineSource } from '../../server/shared/postmortem-doc.ts';
import type { TimelineEntry } from '../../server/shared/war-room-doc.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
const entry = (id: string, minute: number, source: TimelineSource): PostmortemTimelineEntry => ({ id, at: at(minute), kind: 'note', source, text: id, author: null, collapsed: false });

describe('the generated draft copies a bounded timeline', () => {
  it('keeps a timeline within the limit as it is', () => {
    const entries = [entry('a', 1, 'scribe'), entry('b', 2, 'event')];
    expect(limitTimeline(entries, 2)).toEqual(entries);
  });

  it('keeps events and updates first, then the earliest scribe entries, and marks where the rest were left out', () => {
    const entries = [entry('s1', 1, 'scribe'), entry('s2', 2, 'scribe'), entry('e1', 3, 'event'), entry('s3', 4, 'scribe'), entry('u1', 5, 'update'), entry('s4', 6, 'scribe')];
    const kept = limitTimeline(entries, 4);
    expect(kept.map((e) => e.id)).toEqual(['s1', 'entries-not-copied', 'e1', 'u1']);
    expect(kept[1]).toMatchObject({ at: at(2), source: 'event', author: null });
    expect(kept[1].text).toMatch(/^3 war-room entries from here on are not copied into this draft \(it keeps 4\)/);
  });

  it('drafts at most 2,000 entries from a war room of 100,000', () => {
    const author = { id: 'u', name: 'Bench' };
    const warRoom: TimelineEntry[] = Array.from({ length: 100_000 }, (_, i) => ({ id: `e${i}`, at: at(i % 5000), kind: 'note', text: `Entry ${i}`, author, auto: i % 1000 === 0, eventId: null, hypothesisId: null, createdAt: at(i % 5000) }));
    const merged = mergeTimeline(warRoom, []);
    expect(merged).toHaveLength(2_000);
    expect(merged.filter((e) => e.source === 'event').map((e) => e.id)).toContain('entries-not-copied');
    expect(merged.filter((e) => e.source === 'event')).toHaveLength(101);
  });
});
