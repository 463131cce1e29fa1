import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { mergeRuns } from '../../server/collab/update-runs.ts';

const structCount = (update: Uint8Array) => Y.decodeUpdate(update).structs.length;

function load(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc({ gc: false });
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc;
}

/** Same structs, same deletions, same content: Yjs encodes the two documents byte for byte alike. */
function expectSameDocument(actual: Y.Doc, expected: Y.Doc): void {
  expect(actual.store.pendingStructs).toBeNull();
  expect(Buffer.from(Y.encodeStateAsUpdate(actual))).toEqual(Buffer.from(Y.encodeStateAsUpdate(expected)));
}

/**
 * Three people typing, deleting, formatting, setting map keys and inserting
 * list entries at once (one with gc on, like a browser), exchanging updates
 * only now and then, so many edits are concurrent. Every update in the order
 * the server could have received them.
 */
function concurrentEditing(seed: number): Uint8Array[] {
  let state = seed;
  const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
  const people = [7, 1003, 3].map((id, i) => {
    const doc = new Y.Doc({ gc: i === 0 });
    doc.clientID = id;
    return doc;
  });
  const log: Uint8Array[] = [];
  const unsent = people.map(() => [] as Uint8Array[]);
  people.forEach((doc, i) =>
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'peer') return;
      log.push(update);
      unsent[i].push(update);
    }),
  );
  for (let step = 0; step < 150; step++) {
    const i = Math.floor(random() * people.length);
    const doc = people[i];
    const text = doc.getText('t');
    const list = doc.getArray('a');
    const roll = random();
    if (roll < 0.45) {
      const at = Math.floor(random() * (text.length + 1));
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) text.insert(at + k, String.fromCharCode(97 + Math.floor(random() * 26)));
    } else if (roll < 0.55 && text.length > 0) {
      const at = Math.floor(random() * text.length);
      text.delete(at, Math.min(text.length - at, 1 + Math.floor(random() * 3)));
    } else if (roll < 0.65) doc.getMap('m').set(['x', 'y'][Math.floor(random() * 2)], Math.floor(random() * 100));
    else if (roll < 0.72) list.insert(Math.floor(random() * (list.length + 1)), [Math.floor(random() * 10), { j: step }]);
    else if (roll < 0.76 && list.length > 0) list.delete(Math.floor(random() * list.length), 1);
    else if (roll < 0.8) doc.getMap('m').set(`sub${step % 2}`, new Y.Map([['k', step]]));
    else if (roll < 0.85) text.format(0, Math.min(text.length, 2), { bold: random() < 0.5 ? true : null });
    else {
      const to = people[(i + 1 + Math.floor(random() * 2)) % people.length];
      for (const update of unsent[i]) Y.applyUpdate(to, update, 'peer');
      if (random() < 0.5) unsent[i].length = 0;
    }
  }
  return log;
}

describe('merging an update into runs', () => {
  it('writes a run of keystrokes as one item, and the document is the same', () => {
    const writer = new Y.Doc();
    const keystrokes: Uint8Array[] = [];
    writer.on('update', (update: Uint8Array) => keystrokes.push(update));
    for (let i = 0; i < 500; i++) writer.getText('t').insert(i, 'x');
    const merged = Y.mergeUpdates(keystrokes);

    const runs = mergeRuns(keystrokes);

    expect(structCount(merged)).toBe(500);
    expect(structCount(runs)).toBe(1);
    expect(runs.byteLength).toBeLessThan(merged.byteLength / 5);
    expect(mergeRuns([merged])).toEqual(runs);
    expectSameDocument(load([runs]), load(keystrokes));
  });

  it('keeps apart keystrokes typed somewhere else', () => {
    const writer = new Y.Doc();
    const keystrokes: Uint8Array[] = [];
    writer.on('update', (update: Uint8Array) => keystrokes.push(update));
    const [summary, notes] = [writer.getText('summary'), writer.getText('notes')];
    summary.insert(0, 'a');
    notes.insert(0, 'b');
    summary.insert(1, 'c');
    summary.insert(1, 'd');

    const loaded = load([mergeRuns(keystrokes)]);

    expect([loaded.getText('summary').toString(), loaded.getText('notes').toString()]).toEqual(['adc', 'b']);
  });

  it('keeps apart a keystroke typed before someone else’s text', () => {
    // Client 5 types "a", then "b" between "a" and client 2's "X": "b" has a right origin "a" had not.
    const first = new Y.Doc();
    first.clientID = 5;
    const second = new Y.Doc();
    second.clientID = 2;
    const log: Uint8Array[] = [];
    first.on('update', (update: Uint8Array) => log.push(update));
    second.on('update', (update: Uint8Array, origin: unknown) => origin !== 'peer' && log.push(update));
    first.getText('t').insert(0, 'a');
    Y.applyUpdate(second, log[0], 'peer');
    second.getText('t').insert(1, 'X');
    Y.applyUpdate(first, log[1]);
    first.getText('t').insert(1, 'b');
    expect(first.getText('t').toString()).toBe('abX');

    expectSameDocument(load([mergeRuns(log)]), load(log));
  });

  it('merges updates that claim the same ids as Yjs does', () => {
    const writer = new Y.Doc();
    const keystrokes: Uint8Array[] = [];
    writer.on('update', (update: Uint8Array) => keystrokes.push(update));
    for (const char of 'abc') writer.getText('t').insert(writer.getText('t').length, char);
    writer.getText('t').delete(0, 1);

    const runs = mergeRuns([...keystrokes, keystrokes[1], ...keystrokes]);

    expectSameDocument(load([runs]), load(keystrokes));
    expect(structCount(runs)).toBe(1);
  });

  it('returns the update itself when nothing merges', () => {
    const writer = new Y.Doc();
    writer.getMap('m').set('a', new Y.Text('x'));
    const update = Y.encodeStateAsUpdate(writer);

    expect(mergeRuns([update])).toBe(update);
  });

  it('gives the same document as the updates it came from, for concurrent edits, in any order of segments', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const log = concurrentEditing(seed);
      const expected = load(log);
      const segments: Uint8Array[] = [];
      for (let i = 0; i < log.length; i += 1 + (seed % 17)) segments.push(mergeRuns(log.slice(i, i + 1 + (seed % 17))));

      expectSameDocument(load(segments), expected);
      expectSameDocument(load([...segments].reverse()), expected);
    }
  });
});
