import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { presenceFlushInterval, RoomPresence, type PresenceMember } from '../../server/collab/presence.ts';

function member(i: number): PresenceMember & { frames: Uint8Array[] } {
  const frames: Uint8Array[] = [];
  return {
    frames,
    user: { id: `user-${i}` },
    identity: { id: `user-${i}`, name: `Person ${i}`, color: 'oklch(0.6 0.1 10)', colorLight: 'oklch(0.6 0.1 10 / 0.3)', role: null },
    closed: false,
    presenceId: null,
    send: (frame) => frames.push(frame),
    reject: () => {
      throw new Error('not expected');
    },
  };
}

/** A cursor move as the stock provider sends it. */
function cursorMove(clientId: number, position: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const awareness = new Awareness(doc);
  awareness.setLocalState({ cursor: { anchor: position, head: position } });
  const update = encodeAwarenessUpdate(awareness, [clientId]);
  awareness.destroy();
  return update;
}

/** A room of `size` connections in which the first one moves its cursor; how long until the others hear of it. */
function firstFlushAfter(size: number): number {
  const members = Array.from({ length: size }, (_, i) => member(i));
  const presence = new RoomPresence({ members: () => members, memberCount: () => members.length, flushMs: 50 });
  presence.receive(members[0], cursorMove(1000, 1));
  for (let ms = 1; ms <= 1000; ms++) {
    vi.advanceTimersByTime(1);
    if (members[1].frames.length > 0) {
      presence.destroy();
      return ms;
    }
  }
  presence.destroy();
  throw new Error('never sent');
}

describe('how often a room sends presence', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps the base interval in rooms of up to 100 connections', () => {
    expect(presenceFlushInterval(50, 1)).toBe(50);
    expect(presenceFlushInterval(50, 100)).toBe(50);
    expect(firstFlushAfter(40)).toBe(50);
  });

  it('collects for longer as the room grows, so presence frames per second stay bounded, up to a quarter of a second', () => {
    expect(presenceFlushInterval(50, 200)).toBe(100);
    expect(presenceFlushInterval(50, 500)).toBe(250);
    expect(presenceFlushInterval(50, 5_000)).toBe(250);
    expect(firstFlushAfter(200)).toBe(100);
  });

  it('still sends at the end of the turn when configured to (tests and tools)', () => {
    expect(presenceFlushInterval(0, 1_000)).toBe(0);
  });

  it('sends every connection one frame per interval however many people move', () => {
    const members = Array.from({ length: 300 }, (_, i) => member(i));
    const presence = new RoomPresence({ members: () => members, memberCount: () => members.length, flushMs: 50 });
    // Everyone moves their cursor every 50 ms for one second.
    for (let ms = 0; ms < 1000; ms += 50) {
      for (const [i, m] of members.entries()) presence.receive(m, cursorMove(1000 + i, ms));
      vi.advanceTimersByTime(50);
    }
    presence.destroy();
    // 1000 ms at one flush per 150 ms.
    expect(members[7].frames.length).toBe(Math.floor(1000 / 150));
  });
});
