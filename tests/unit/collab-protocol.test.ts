import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodeAwarenessState, encodeAwarenessEntry, joinAwarenessEntries, parseAwarenessUpdate } from '../../server/collab/awareness.ts';
import { presenceState } from '../../server/collab/presence-state.ts';
import { encodeSyncStep1, MalformedMessage, parseMessage } from '../../server/collab/protocol.ts';
import { presenceColor, presenceColorLight } from '../../server/shared/presence.ts';
import { syncFrame } from '../helpers/yjs.ts';

describe('the y-websocket wire format', () => {
  it('parses the message types the stock provider sends', () => {
    expect(parseMessage(encodeSyncStep1(new Uint8Array([0])))).toEqual({ type: 'sync-step-1', stateVector: new Uint8Array([0]) });
    expect(parseMessage(syncFrame(1, new Uint8Array([0, 0])))).toEqual({ type: 'sync-step-2', update: new Uint8Array([0, 0]) });
    expect(parseMessage(syncFrame(2, new Uint8Array([0, 0])))).toEqual({ type: 'update', update: new Uint8Array([0, 0]) });
    expect(parseMessage(new Uint8Array([1, 1, 0]))).toEqual({ type: 'awareness', update: new Uint8Array([0]) });
    expect(parseMessage(new Uint8Array([3]))).toEqual({ type: 'query-awareness' });
  });

  it('refuses unknown types, truncation and trailing bytes', () => {
    for (const frame of [[], [2, 0], [9], [0, 7, 0], [0, 2, 5, 1], [0, 2, 1, 0, 0], [3, 3]]) {
      expect(() => parseMessage(new Uint8Array(frame)), JSON.stringify(frame)).toThrow(MalformedMessage);
    }
  });

  it('reads awareness entries without decoding their states', () => {
    const update = joinAwarenessEntries([encodeAwarenessEntry(7, 3, { editing: 'timeline' }), encodeAwarenessEntry(8, 1, null)]);
    const [first, second] = parseAwarenessUpdate(update);
    expect([first.clientId, first.clock, second.clientId, second.clock]).toEqual([7, 3, 8, 1]);
    expect(decodeAwarenessState(first)).toEqual({ editing: 'timeline' });
    expect(decodeAwarenessState(second)).toBeNull();
  });

  it('refuses awareness states that are not JSON objects', () => {
    const bad = joinAwarenessEntries([encodeAwarenessEntry(1, 1, null)]);
    bad[bad.length - 1] = '['.charCodeAt(0);
    expect(() => decodeAwarenessState(parseAwarenessUpdate(bad)[0])).toThrow(MalformedMessage);
    const array = joinAwarenessEntries([encodeAwarenessEntry(1, 1, [] as unknown as null)]);
    expect(() => decodeAwarenessState(parseAwarenessUpdate(array)[0])).toThrow(MalformedMessage);
    expect(() => parseAwarenessUpdate(new Uint8Array([1, 1, 1, 9]))).toThrow(MalformedMessage);
  });
});

describe('a presence state as others see it', () => {
  const identity = { id: 'u1', name: 'Ana', color: presenceColor('u1'), colorLight: presenceColorLight('u1'), role: 'scribe' };
  const position = { type: { client: 1, clock: 2 }, item: { client: 3, clock: 4 }, assoc: 0 };

  it('takes the identity and role from the server, whatever the client claims', () => {
    const state = presenceState({ user: { id: 'forged', name: 'CEO', color: 'red', role: 'commander' }, editing: 'timeline' }, identity);
    expect(state).toEqual({ user: identity, editing: 'timeline' });
  });

  it('keeps only the fields the UI reads, in their shapes', () => {
    const cursor = { anchor: { item: { client: 3, clock: 4 }, assoc: 0 }, head: { type: { client: 1, clock: 2 }, tname: 'text' } };
    const state = presenceState({ cursor, editing: 'x'.repeat(500), junk: 'y'.repeat(100), user: 'nope' }, identity);
    expect(state).toEqual({
      user: identity,
      editing: 'x'.repeat(200),
      cursor: { anchor: { type: null, tname: null, item: { client: 3, clock: 4 }, assoc: 0 }, head: { type: { client: 1, clock: 2 }, tname: 'text', item: null, assoc: 0 } },
    });
    expect(presenceState({ cursor: { anchor: position, head: position } }, identity).cursor).toEqual({ anchor: { ...position, tname: null }, head: { ...position, tname: null } });
    expect(presenceState({ cursor: { anchor: position, head: { item: { client: -1, clock: 0 } } } }, identity).cursor).toBeNull();
    expect(presenceState({ cursor: null, editing: 42 }, identity)).toEqual({ user: identity, cursor: null });
  });

  it('passes a caret through so the other editor can place it, at the end of a nested text too', () => {
    // The shape y-codemirror.next publishes: RelativePosition objects, JSON-encoded on the wire.
    const doc = new Y.Doc();
    const section = new Y.Text('The index rebuild started');
    doc.getMap('sections').set('trigger', section);
    for (const index of [0, 4, section.length]) {
      const caret = Y.createRelativePositionFromTypeIndex(section, index);
      const wire = JSON.parse(JSON.stringify({ cursor: { anchor: caret, head: caret } }));
      const { cursor } = presenceState(wire, identity) as { cursor: { anchor: Y.RelativePosition; head: Y.RelativePosition } };
      const resolved = Y.createAbsolutePositionFromRelativePosition(cursor.head, doc);
      expect(resolved?.type, `index ${index}`).toBe(section);
      expect(resolved?.index, `index ${index}`).toBe(index);
    }
  });
});
