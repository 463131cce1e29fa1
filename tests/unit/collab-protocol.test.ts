import { describe, expect, it } from 'vitest';
import { encodeAwarenessEntries, parseAwarenessUpdate, withIdentity } from '../../server/collab/awareness.ts';
import { encodeSyncStep1, MalformedMessage, parseMessage } from '../../server/collab/protocol.ts';
import { presenceColor } from '../../server/shared/presence.ts';
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

  it('rewrites the identity in awareness states and keeps the rest', () => {
    const update = encodeAwarenessEntries([
      { clientId: 7, clock: 3, state: { user: { id: 'forged', name: 'CEO', color: 'red', role: 'scribe' }, editing: 'timeline' } },
      { clientId: 8, clock: 1, state: null },
    ]);
    const [first, second] = parseAwarenessUpdate(update);
    expect(second).toEqual({ clientId: 8, clock: 1, state: null });
    const identity = { id: 'u1', name: 'Ana', color: presenceColor('u1') };
    expect(withIdentity(first.state!, identity)).toEqual({ user: { id: 'u1', name: 'Ana', color: presenceColor('u1'), role: 'scribe' }, editing: 'timeline' });
    expect(withIdentity({ user: 'not an object' }, identity)).toEqual({ user: identity });
  });

  it('refuses awareness states that are not JSON objects', () => {
    const bad = encodeAwarenessEntries([{ clientId: 1, clock: 1, state: null }]);
    bad[bad.length - 1] = '['.charCodeAt(0);
    expect(() => parseAwarenessUpdate(bad)).toThrow(MalformedMessage);
    const array = encodeAwarenessEntries([{ clientId: 1, clock: 1, state: [] as unknown as null }]);
    expect(() => parseAwarenessUpdate(array)).toThrow(MalformedMessage);
  });
});
