/**
 * The document-message rate of one connection: over the rate a client is
 * slowed down (its socket paused), never closed for a burst; held back for
 * too long without a break it is asked to resync with a close the stock
 * provider reconnects after.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKLOG_PATIENCE_MS } from '../../server/collab/connection.ts';
import type { IncomingMessage } from '../../server/collab/protocol.ts';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { fakeConnection } from '../helpers/memory-store.ts';
import { syncFrame } from '../helpers/yjs.ts';

const RATE = 5;
const update = syncFrame(2, new Uint8Array([0, 0]));

function rateLimited() {
  const peer = fakeConnection('doc', { messagesPerSecond: RATE, maxMessageBytes: 8192 });
  const handled: IncomingMessage[] = [];
  let paused = false;
  Object.assign(peer.socket, { pause: () => (paused = true), resume: () => (paused = false) });
  peer.connection.attach({ receive: (_c, message) => handled.push(message), leave: () => {} });
  return { ...peer, handled, isPaused: () => paused };
}

describe('the document-message rate of one connection', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('slows a burst down instead of closing it, and reads again once it has caught up', () => {
    const peer = rateLimited();
    for (let i = 0; i < 30; i++) peer.connection.receive(update);
    expect(peer.handled.length).toBe(20); // one second's worth of burst
    expect(peer.isPaused()).toBe(true);
    vi.advanceTimersByTime(2_500);
    expect(peer.handled.length).toBe(30);
    expect(peer.isPaused()).toBe(false);
    expect(peer.socket.closedWith).toBeNull();
  });

  it(`asks a client held back for longer than ${BACKLOG_PATIENCE_MS} ms without a break to resync`, () => {
    const peer = rateLimited();
    // The socket lets a few frames in after every resume, always over the rate: a steady flood.
    for (let i = 0; i < 25; i++) peer.connection.receive(update);
    let elapsed = 0;
    while (peer.socket.closedWith === null && elapsed < BACKLOG_PATIENCE_MS + 5_000) {
      vi.advanceTimersByTime(100);
      elapsed += 100;
      if (!peer.isPaused()) for (let i = 0; i < 3; i++) peer.connection.receive(update);
    }
    expect(peer.socket.closedWith).toBe(CloseCode.RATE_LIMITED);
    expect(elapsed).toBeGreaterThan(BACKLOG_PATIENCE_MS);
  });

  it('starts counting afresh once a frame goes straight through under the rate', () => {
    const peer = rateLimited();
    // Bursts over the rate with pauses long enough to refill: slowed each time, never closed.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 25; i++) peer.connection.receive(update);
      vi.advanceTimersByTime(BACKLOG_PATIENCE_MS);
    }
    expect(peer.socket.closedWith).toBeNull();
    expect(peer.handled.length).toBe(6 * 25);
  });
});
