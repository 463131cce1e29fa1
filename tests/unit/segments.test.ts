import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { segmentsOf } from '../../server/collab/segment-merge.ts';
import { buildDoc, mergeIntoSegments, SEGMENT_INPUT_BYTES } from '../../server/collab/segments.ts';
import { sameIdTwice } from '../helpers/yjs.ts';

describe('merging log rows into segments', () => {
  it('keeps a row as large as a segment apart, untouched, and the rows around it merged', async () => {
    const doc = new Y.Doc();
    const rows: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => rows.push(update));
    for (const char of 'abc') doc.getText('t').insert(doc.getText('t').length, char);
    doc.getText('t').insert(3, 'x'.repeat(SEGMENT_INPUT_BYTES + 1000));
    for (const char of 'def') doc.getText('t').insert(doc.getText('t').length, char);
    const large = rows[3];

    const segments = segmentsOf(rows);

    expect(segments).toHaveLength(3);
    expect(segments[1]).toBe(large);
    // This much is merged on the worker thread, to the same bytes.
    expect(await mergeIntoSegments(rows)).toEqual(segments);
    const loaded = new Y.Doc();
    for (const segment of segments) Y.applyUpdate(loaded, segment);
    expect(loaded.getText('t').toString()).toBe(doc.getText('t').toString());
  });

  it('puts rows that claim the same id in different segments, so a reload gives the copy the document took', async () => {
    const { base, forged, honest } = sameIdTwice();

    const segments = await mergeIntoSegments([base, forged, honest]);

    expect(segments).toHaveLength(2);
    const loaded = new Y.Doc();
    for (const segment of segments) Y.applyUpdate(loaded, segment);
    expect(loaded.getText('t').toString()).toBe('safe?');
  });

  it('writes a log of keystrokes as a segment of a few long items, which a restarted server applies at once', async () => {
    const writer = new Y.Doc();
    const rows: Uint8Array[] = [];
    writer.on('update', (update: Uint8Array) => rows.push(update));
    for (let i = 0; i < 2000; i++) writer.getText('t').insert(i, String(i % 10));

    const segments = await mergeIntoSegments(rows);

    expect(segments).toHaveLength(1);
    expect(Y.decodeUpdate(segments[0]).structs.length).toBe(1);
    const loaded = new Y.Doc();
    Y.applyUpdate(loaded, segments[0]);
    expect(loaded.getText('t').toString()).toBe(writer.getText('t').toString());
  });
});

describe('building the document from what was stored', () => {
  it('applies a log of small rows merged, except rows that claim the same ids', async () => {
    const { base, forged, honest } = sameIdTwice();
    let afterSegments = '';

    const doc = await buildDoc([base, forged, honest], 1, (d) => (afterSegments = d.getText('t').toString()));

    expect(afterSegments).toBe('safe');
    expect(doc.getText('t').toString()).toBe('safe?');
  });
});
