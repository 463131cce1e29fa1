import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { describeUpdate } from '../../server/collab/history.ts';
import { toLogRows } from '../../server/collab/log-rows.ts';
import type { StoredUpdate } from '../../server/collab/storage.ts';
import { sameIdTwice } from '../helpers/yjs.ts';

/** Each keystroke of `text` typed by `userId` on a shared document, as stored changes. */
function typing(doc: Y.Doc, userId: string, text: string): StoredUpdate[] {
  const changes: StoredUpdate[] = [];
  const capture = (update: Uint8Array) => changes.push({ update, userId, receivedAt: new Date(Date.now() + changes.length), ids: describeUpdate(update) });
  doc.on('update', capture);
  for (const char of text) doc.getText('t').insert(doc.getText('t').length, char);
  doc.off('update', capture);
  return changes;
}

describe('log rows of a commit batch', () => {
  it('stores one person\'s burst as one row that holds every keystroke, attributed to them from its first', () => {
    const doc = new Y.Doc();
    const burst = typing(doc, 'alice', 'hello');
    doc.getText('t').delete(0, 1);
    const rows = toLogRows(burst);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: 'alice', receivedAt: burst[0].receivedAt });
    const replayed = new Y.Doc();
    Y.applyUpdate(replayed, rows[0].update);
    expect(replayed.getText('t').toString()).toBe('hello');
    expect(rows[0].ids).toEqual(describeUpdate(rows[0].update));
  });

  it('keeps different people\'s changes apart and in order', () => {
    const doc = new Y.Doc();
    const batch = [...typing(doc, 'alice', 'ab'), ...typing(doc, 'bob', 'c'), ...typing(doc, 'alice', 'd')];
    const rows = toLogRows(batch);
    expect(rows.map((row) => row.userId)).toEqual(['alice', 'bob', 'alice']);
    const replayed = new Y.Doc();
    for (const row of rows) Y.applyUpdate(replayed, row.update);
    expect(replayed.getText('t').toString()).toBe('abcd');
    expect(replayed.store.pendingStructs).toBeNull();
  });

  it('stores a large paste as it came, between the merged keystrokes around it', () => {
    const doc = new Y.Doc();
    const before = typing(doc, 'alice', 'ab');
    const paste: StoredUpdate[] = [];
    const capture = (update: Uint8Array) => paste.push({ update, userId: 'alice', receivedAt: new Date(), ids: describeUpdate(update) });
    doc.on('update', capture);
    doc.getText('t').insert(2, 'x'.repeat(200_000));
    doc.off('update', capture);
    const after = typing(doc, 'alice', 'cd');
    const rows = toLogRows([...before, ...paste, ...after]);
    expect(rows.map((row) => row.changes)).toEqual([2, 1, 2]);
    // The very bytes that arrived: nothing decoded and encoded again.
    expect(rows[1].update).toBe(paste[0].update);
    const replayed = new Y.Doc();
    for (const row of rows) Y.applyUpdate(replayed, row.update);
    expect(replayed.getText('t').toString()).toBe(doc.getText('t').toString());
  });

  it('keeps two changes that claim the same id apart, so the log replays to the copy the document took', () => {
    const { base, forged, honest } = sameIdTwice();
    const live = new Y.Doc();
    for (const update of [base, forged, honest]) Y.applyUpdate(live, update);
    expect(live.getText('t').toString()).toBe('safe?');
    const change = (update: Uint8Array): StoredUpdate => ({ update, userId: 'mallory', receivedAt: new Date(), ids: describeUpdate(update) });

    const rows = toLogRows([change(forged), change(honest)]);

    expect(rows).toHaveLength(2);
    const replayed = new Y.Doc();
    Y.applyUpdate(replayed, base);
    for (const row of rows) Y.applyUpdate(replayed, row.update);
    expect(replayed.getText('t').toString()).toBe('safe?');
  });
});
