import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { describeUpdate } from '../../server/collab/history.ts';
import { mergeRanges, toYSnapshot, versionAt, type TimedChange } from '../../server/replay/version-at.ts';

const t = (minute: number) => new Date(Date.UTC(2026, 2, 1, 14, minute));

describe('versionAt', () => {
  const changes: TimedChange[] = [
    { createdAt: t(0), ids: { i: { '7': [0, 5] }, d: {} } },
    { createdAt: t(10), ids: { i: { '9': [0, 3] }, d: { '7': [[1, 2]] } } },
    { createdAt: t(20), ids: { i: { '7': [5, 8] }, d: { '7': [[3, 1]], '9': [[0, 1]] } } },
    { createdAt: t(30), ids: { i: {}, d: { '7': [[6, 2]] } } },
  ];

  it('takes the highest inserted clock per client and the deletions made up to the moment, inclusive', () => {
    const before = versionAt(changes, new Date(t(0).getTime() - 1));
    expect(before.stateVector.size).toBe(0);
    expect(before.deleted.size).toBe(0);

    const atTen = versionAt(changes, t(10));
    expect(Object.fromEntries(atTen.stateVector)).toEqual({ 7: 5, 9: 3 });
    expect(Object.fromEntries(atTen.deleted)).toEqual({ 7: [[1, 2]] });

    const atTwenty = versionAt(changes, t(25));
    expect(Object.fromEntries(atTwenty.stateVector)).toEqual({ 7: 8, 9: 3 });
    // [1,2] and [3,1] touch: one range, as Yjs's binary search expects.
    expect(Object.fromEntries(atTwenty.deleted)).toEqual({ 7: [[1, 3]], 9: [[0, 1]] });

    expect(versionAt(changes, t(30)).deleted.get(7)).toEqual([[1, 3], [6, 2]]);
  });

  it('does not depend on the order changes are listed in', () => {
    expect(versionAt([...changes].reverse(), t(25))).toEqual(versionAt(changes, t(25)));
  });

  it('merges overlapping, touching and unsorted ranges', () => {
    expect(mergeRanges([[10, 2], [0, 3], [2, 4], [6, 1], [20, 1]])).toEqual([[0, 7], [10, 2], [20, 1]]);
    expect(mergeRanges([[0, 10], [2, 3]])).toEqual([[0, 10]]);
    expect(mergeRanges([])).toEqual([]);
  });

  it('clamps the state vector to what the source document holds', () => {
    const snapshot = toYSnapshot(versionAt(changes, t(30)), new Map([[7, 6]]));
    expect(Object.fromEntries(snapshot.sv)).toEqual({ 7: 6 });
  });
});

describe('a Yjs document rebuilt from id ranges', () => {
  /** Two editors; every change recorded like the server does (bytes + ids + time). */
  function history() {
    const server = new Y.Doc({ gc: false });
    const alice = new Y.Doc();
    const bob = new Y.Doc();
    const log: { update: Uint8Array; createdAt: Date; ids: ReturnType<typeof describeUpdate> }[] = [];
    let minute = 0;
    const edit = (who: Y.Doc, change: (doc: Y.Doc) => void) => {
      const before = Y.encodeStateVector(who);
      change(who);
      const update = Y.encodeStateAsUpdate(who, before);
      Y.applyUpdate(server, update);
      for (const other of [alice, bob]) if (other !== who) Y.applyUpdate(other, update);
      log.push({ update, createdAt: t(minute++), ids: describeUpdate(update) });
    };
    edit(alice, (d) => d.getText('draft').insert(0, 'Checkout is down'));
    edit(bob, (d) => d.getMap('board').set('h1', 'open'));
    edit(alice, (d) => d.getText('draft').delete(0, 9));
    edit(bob, (d) => d.getMap('board').set('h1', 'confirmed'));
    edit(alice, (d) => d.getText('draft').insert(0, 'Payments '));
    edit(bob, (d) => d.getMap('board').delete('h1'));
    return { server, log };
  }

  const view = (doc: Y.Doc) => ({ draft: doc.getText('draft').toString(), board: doc.getMap('board').toJSON() });

  it('equals replaying the raw updates up to every moment', () => {
    const { server, log } = history();
    const available = Y.decodeStateVector(Y.encodeStateVector(server));
    for (let minute = -1; minute <= log.length; minute++) {
      const naive = new Y.Doc();
      for (const entry of log) if (entry.createdAt <= t(minute)) Y.applyUpdate(naive, entry.update);
      const rebuilt = Y.createDocFromSnapshot(server, toYSnapshot(versionAt(log, t(minute)), available));
      expect(view(rebuilt), `minute ${minute}`).toEqual(view(naive));
    }
    expect(view(Y.createDocFromSnapshot(server, toYSnapshot(versionAt(log, t(3)), available)))).toEqual({ draft: 'is down', board: { h1: 'confirmed' } });
  });
});
