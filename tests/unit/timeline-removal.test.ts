import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { mergeTimeline } from '../../server/postmortem/draft-timeline.ts';
import { addTimelineEntry, readTimeline, removeTimelineEntry, restoreTimelineEntry, updateTimelineEntry } from '../../server/shared/war-room-doc.ts';

const ana = { id: 'ana', name: 'Ana' };
const ben = { id: 'ben', name: 'Ben' };

/** Two war rooms kept in sync, like two browsers on the same document. */
function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  a.on('update', (update: Uint8Array) => Y.applyUpdate(b, update));
  b.on('update', (update: Uint8Array) => Y.applyUpdate(a, update));
  return { a, b };
}

describe('removing a timeline entry', () => {
  it('leaves a marker with who removed it and when, on every screen, and can be undone', () => {
    const { a, b } = pair();
    const id = addTimelineEntry(a, { at: '2026-03-12T22:04:00.000Z', kind: 'action', text: 'Restarted the pods', author: ana, hypothesisId: null });
    removeTimelineEntry(b, id, ben);

    const [marked] = readTimeline(a);
    expect(marked).toMatchObject({ id, text: 'Restarted the pods', author: ana, removed: { by: ben, at: expect.any(String) } });
    // Nothing edits a removed entry; removing it again keeps the first remover.
    updateTimelineEntry(a, id, { text: 'changed' });
    removeTimelineEntry(a, id, ana);
    expect(readTimeline(b)[0]).toMatchObject({ text: 'Restarted the pods', removed: { by: ben } });

    restoreTimelineEntry(a, id);
    expect(readTimeline(b)[0].removed ?? null).toBeNull();
    expect(readTimeline(b)[0].text).toBe('Restarted the pods');
  });

  it('never removes automatic entries', () => {
    const doc = new Y.Doc();
    const id = addTimelineEntry(doc, { id: 'event-3', at: '2026-03-12T22:04:00.000Z', kind: 'decision', text: 'Severity SEV2 → SEV1', author: ana, hypothesisId: null, auto: true, eventId: 3 });
    removeTimelineEntry(doc, id, ben);
    expect(readTimeline(doc)[0].removed ?? null).toBeNull();
  });

  it('shows the marker, not the text, in the postmortem’s merged timeline', () => {
    const doc = new Y.Doc();
    const id = addTimelineEntry(doc, { at: '2026-03-12T22:04:00.000Z', kind: 'action', text: 'Restarted the pods', author: ana, hypothesisId: null });
    removeTimelineEntry(doc, id, ben);
    const removedAt = readTimeline(doc)[0].removed!.at;
    const [entry] = mergeTimeline(readTimeline(doc), []);
    expect(entry.text).toMatch(/^Entry removed by Ben at \d+ \w+ \d{4}, \d\d:\d\d UTC$/);
    expect(entry.text).toContain(new Date(removedAt).toISOString().slice(11, 16));
  });
});
