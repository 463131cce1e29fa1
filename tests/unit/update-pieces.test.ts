import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { splitUpdate } from '../../server/collab/update-pieces.ts';

/** Three people editing text, a list and a map at once, with deletions, synced now and then. */
function concurrentHistory(): { updates: Uint8Array[]; final: Y.Doc } {
  const people = [1, 2, 3].map((id) => {
    const doc = new Y.Doc();
    doc.clientID = id;
    return doc;
  });
  const updates: Uint8Array[] = [];
  for (const doc of people) doc.on('update', (update: Uint8Array) => updates.push(update));
  let seed = 7;
  const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
  for (let round = 0; round < 40; round++) {
    for (const doc of people) {
      doc.transact(() => {
        const text = doc.getText('notes');
        text.insert(Math.floor(random() * (text.length + 1)), `r${round}c${doc.clientID} `);
        if (text.length > 20 && random() < 0.4) text.delete(Math.floor(random() * (text.length - 5)), 4);
        const list = doc.getArray<Y.Map<unknown>>('timeline');
        const entry = new Y.Map<unknown>();
        entry.set('text', `entry ${round} by ${doc.clientID}`);
        entry.set('at', round);
        list.insert(Math.floor(random() * (list.length + 1)), [entry]);
        if (list.length > 3 && random() < 0.3) list.delete(Math.floor(random() * list.length), 1);
        doc.getMap('meta').set(`k${round % 5}`, round * doc.clientID);
      });
    }
    if (round % 4 === 3) {
      for (const a of people) for (const b of people) if (a !== b) Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
    }
  }
  for (const a of people) for (const b of people) if (a !== b) Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  return { updates, final: people[0] };
}

function applyAll(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc;
}

describe('splitting an update into pieces', () => {
  it('gives the same document, piece by piece, for one merged update of everyone\'s concurrent edits', () => {
    const { updates, final } = concurrentHistory();
    const merged = Y.mergeUpdates(updates);
    const pieces = splitUpdate(merged, 5);
    expect(pieces.length).toBeGreaterThan(20);
    const doc = applyAll(pieces);
    expect(doc.store.pendingStructs).toBeNull();
    expect(doc.store.pendingDs).toBeNull();
    expect(Y.equalSnapshots(Y.snapshot(doc), Y.snapshot(applyAll([merged])))).toBe(true);
    expect(doc.getText('notes').toString()).toBe(final.getText('notes').toString());
    expect(doc.getArray('timeline').toJSON()).toEqual(final.getArray('timeline').toJSON());
    expect(doc.getMap('meta').toJSON()).toEqual(final.getMap('meta').toJSON());
  });

  it('gives the same document for a log of updates merged in groups (segments with gaps between clients)', () => {
    const { updates } = concurrentHistory();
    const segments = [];
    for (let i = 0; i < updates.length; i += 17) segments.push(Y.mergeUpdates(updates.slice(i, i + 17)));
    const pieces = segments.flatMap((segment) => splitUpdate(segment, 4));
    const doc = applyAll(pieces);
    expect(doc.store.pendingStructs).toBeNull();
    expect(Y.equalSnapshots(Y.snapshot(doc), Y.snapshot(applyAll(updates)))).toBe(true);
  });

  it('leaves a small update whole', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'hello');
    const update = Y.encodeStateAsUpdate(doc);
    expect(splitUpdate(update)).toEqual([update]);
  });

  it('cuts one person\'s large paste of list entries into pieces no larger than asked', () => {
    const doc = new Y.Doc();
    doc.transact(() => {
      for (let i = 0; i < 2000; i++) doc.getArray('list').push([new Y.Map<unknown>([['n', i], ['text', `entry ${i}`]])]);
      doc.getArray('list').delete(10, 500);
    });
    const update = Y.encodeStateAsUpdate(doc);
    const pieces = splitUpdate(update, 100);
    expect(pieces.length).toBeGreaterThan(50);
    for (const piece of pieces) expect(Y.decodeUpdate(piece).structs.length).toBeLessThanOrEqual(100);
    expect(applyAll(pieces).getArray('list').toJSON()).toEqual(doc.getArray('list').toJSON());
  });
});
