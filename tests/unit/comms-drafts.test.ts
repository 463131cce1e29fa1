import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { applyTextEdit, draftText, readDraft, seedDrafts, shiftIndex } from '../../server/shared/war-room-doc.ts';

/** Two replicas that exchange updates only when told to, like two browsers with a slow network. */
function pair() {
  const a = new Y.Doc();
  const b = new Y.Doc();
  const sync = () => {
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
  };
  return { a, b, sync };
}

describe('drafts in the war-room document', () => {
  it('seeds only the missing drafts and never replaces one', () => {
    const doc = new Y.Doc();
    expect(seedDrafts(doc, { leadership: 'L', support: 'S' })).toEqual(['leadership', 'support']);
    applyTextEdit(draftText(doc, 'leadership')!, 'L', 'L edited');
    expect(seedDrafts(doc, { leadership: 'other', support: 'other', public: 'P' })).toEqual(['public']);
    expect([readDraft(doc, 'leadership'), readDraft(doc, 'support'), readDraft(doc, 'public'), readDraft(doc, 'responders')]).toEqual(['L edited', 'S', 'P', null]);
  });

  it.each([
    ['insert in the middle', 'Hello world', 'Hello brave world'],
    ['delete', 'Hello brave world', 'Hello world'],
    ['replace', 'ETA unknown', 'ETA 15:30 UTC'],
    ['to empty', 'abc', ''],
    ['from empty', '', 'abc'],
    ['repeated letters', 'aaaa', 'aaaaa'],
    ['no change', 'same', 'same'],
  ])('applyTextEdit: %s', (_name, from, to) => {
    const doc = new Y.Doc();
    const text = doc.getText('t');
    text.insert(0, from);
    let changes = 0;
    doc.on('update', () => changes++);
    applyTextEdit(text, from, to);
    expect(text.toString()).toBe(to);
    expect(changes).toBe(from === to ? 0 : 1);
  });

  it('merges two people editing different parts of a draft at once', () => {
    const { a, b, sync } = pair();
    seedDrafts(a, { leadership: 'Impact: some\nETA: unknown' });
    sync();
    const [ta, tb] = [draftText(a, 'leadership')!, draftText(b, 'leadership')!];
    applyTextEdit(ta, ta.toString(), 'Impact: 8% of EU payments\nETA: unknown');
    applyTextEdit(tb, tb.toString(), 'Impact: some\nETA: 15:30 UTC');
    sync();
    expect(ta.toString()).toBe('Impact: 8% of EU payments\nETA: 15:30 UTC');
    expect(tb.toString()).toBe(ta.toString());
  });
});

describe('shiftIndex keeps the caret with its text after a remote change', () => {
  it.each<[string, number, { insert?: string; delete?: number; retain?: number }[], number]>([
    ['insert before the caret', 5, [{ retain: 2 }, { insert: 'xyz' }], 8],
    ['insert after the caret', 5, [{ retain: 7 }, { insert: 'xyz' }], 5],
    ['insert at the caret', 5, [{ retain: 5 }, { insert: 'xy' }], 7],
    ['delete before the caret', 5, [{ retain: 1 }, { delete: 2 }], 3],
    ['delete across the caret', 5, [{ retain: 3 }, { delete: 5 }], 3],
    ['delete after the caret', 5, [{ retain: 6 }, { delete: 2 }], 5],
    ['replace before the caret', 5, [{ retain: 1 }, { delete: 2 }, { insert: 'abcd' }], 7],
    ['insert at the start', 0, [{ insert: 'ab' }], 2],
  ])('%s', (_name, caret, delta, expected) => {
    expect(shiftIndex(caret, delta)).toBe(expected);
  });

  it('agrees with Yjs on a real change', () => {
    const doc = new Y.Doc();
    const text = doc.getText('t');
    text.insert(0, 'The quick brown fox');
    const caret = 'The quick brown'.length;
    let moved = -1;
    text.observe((event) => (moved = shiftIndex(caret, event.delta as { insert?: string; delete?: number; retain?: number }[])));
    doc.transact(() => {
      text.delete(4, 6); // "quick "
      text.insert(0, 'See: ');
    });
    expect(text.toString().slice(0, moved)).toBe('See: The brown');
  });
});
