import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { segmentsOf } from '../../server/collab/segment-merge.ts';
import { mergeIntoSegments, SEGMENT_INPUT_BYTES } from '../../server/collab/segments.ts';
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
});
