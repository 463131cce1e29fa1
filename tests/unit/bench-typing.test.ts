import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Deliveries } from '../../bench/collab/deliveries.ts';
import { checkAgainstYjs, ClockReader, expectedText, TEXT_NAME, typedUpdate } from '../../bench/collab/typing.ts';
import { hocuspocus, yWebsocket } from '../../bench/collab/wire.ts';

describe('the collaboration benchmark reads updates, not messages', () => {
  it('types exactly what Yjs would emit for one character per keystroke', () => {
    expect(() => checkAgainstYjs(500)).not.toThrow();
    const doc = new Y.Doc();
    for (let k = 0; k < 100; k++) Y.applyUpdate(doc, typedUpdate(k));
    expect(doc.getText(TEXT_NAME).toString()).toBe(expectedText(100));
  });

  it('finds every keystroke in an update that merges several, as Hocuspocus sends them', () => {
    const merged = Y.mergeUpdates(Array.from({ length: 40 }, (_, i) => typedUpdate(10 + i)));
    expect(new ClockReader().ranges(merged)).toEqual([10, 50]);
    expect(new ClockReader().ranges(typedUpdate(7))).toEqual([7, 8]);
  });

  it('counts per reader, times each update from its own send, and notices a gap', () => {
    const deliveries = new Deliveries(2, 10, { latencies: true });
    for (let k = 0; k < 4; k++) deliveries.sent(k, 100 + k);
    deliveries.received(0, 0, 4, 110); // one merged message with all four
    deliveries.received(1, 0, 1, 101);
    deliveries.received(1, 2, 4, 120); // update 1 never came
    expect(deliveries.receivedBy(0)).toBe(4);
    expect(deliveries.slowest()).toBe(4);
    expect(deliveries.outOfOrder).toBe(1);
    expect(deliveries.latencies(0, 4).sort((a, b) => a - b)).toEqual([1, 7, 8, 9, 10, 17, 18]);
    expect(deliveries.untilEveryone(0)).toBe(10);
    expect(Number.isNaN(deliveries.untilEveryone(1))).toBe(true);
  });

  it('speaks both dialects: plain y-websocket, and Hocuspocus with the document name first', () => {
    const update = typedUpdate(3);
    expect(yWebsocket.read(yWebsocket.update('room', update))).toEqual({ kind: 'update', update });
    const framed = hocuspocus.update('room-1', update);
    expect(hocuspocus.read(framed)).toEqual({ kind: 'update', update });
    expect(hocuspocus.opening('room-1', new Uint8Array([0])).length).toBe(2);
  });
});
