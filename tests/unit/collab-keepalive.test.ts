/**
 * The stock client drops a connection on which nothing arrived for 30 s and
 * resends its whole state. One rule keeps every connection clear of that,
 * whatever keeps it silent (its room loading, its socket held by its budget,
 * being alone in the room): a connection that was sent nothing for
 * KEEPALIVE_MS is sent NOTHING_NEW at the transport's next heartbeat tick,
 * and one that is being sent anything gets no extra frame.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEEPALIVE_MS } from '../../server/collab/connection.ts';
import { NOTHING_NEW } from '../../server/collab/protocol.ts';
import { TokenBucket } from '../../server/collab/token-bucket.ts';
import { fakeConnection } from '../helpers/memory-store.ts';
import { syncFrame } from '../helpers/yjs.ts';

/** A connection with the upgrade's heartbeat ticking on it (every KEEPALIVE_MS, as with the default ping interval). */
function withHeartbeat(peer = fakeConnection('doc')) {
  const heartbeat = setInterval(() => peer.connection.keepAlive(), KEEPALIVE_MS);
  peer.connection.whenGone(() => clearInterval(heartbeat));
  const keepalives = () => peer.socket.sent.filter((frame) => frame === NOTHING_NEW).length;
  return { ...peer, keepalives };
}

describe('keeping a silent connection alive', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends NOTHING_NEW once per interval to a connection that is sent nothing else', () => {
    // No room attached: a connection waiting for its document to load.
    const idle = withHeartbeat();
    vi.advanceTimersByTime(KEEPALIVE_MS - 1);
    expect(idle.keepalives()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(idle.keepalives()).toBe(1);
    vi.advanceTimersByTime(5 * KEEPALIVE_MS);
    expect(idle.keepalives()).toBe(6);
    expect(idle.socket.sent.length).toBe(6);
  });

  it('sends no extra frame to a connection that is being sent something', () => {
    const busy = withHeartbeat();
    const update = syncFrame(2, new Uint8Array([0, 0]));
    // A document change or a presence flush every 3 s, for a minute.
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(3_000);
      busy.connection.send(update);
    }
    expect(busy.keepalives()).toBe(0);
    // Once the room goes quiet, the keepalive takes over.
    vi.advanceTimersByTime(KEEPALIVE_MS);
    expect(busy.keepalives()).toBe(1);
  });

  it('keeps a connection held back by its byte budget alive, and leaves no timer once it is closed', () => {
    // 100 bytes a second: each further 1 kB frame waits ten seconds behind a paused socket.
    const held = withHeartbeat(fakeConnection('doc', { writeBudget: new TokenBucket(100, 2_000) }));
    let paused = false;
    Object.assign(held.socket, { pause: () => (paused = true), resume: () => (paused = false) });
    held.connection.attach({ receive: () => {}, leave: () => {} });
    for (let i = 0; i < 5; i++) held.connection.receive(syncFrame(2, new Uint8Array(1_000)));
    expect(paused).toBe(true);
    vi.advanceTimersByTime(3 * KEEPALIVE_MS);
    expect(paused).toBe(true);
    expect(held.socket.closedWith).toBeNull();
    expect(held.keepalives()).toBe(3);
    held.connection.close(1000, 'bye');
    expect(vi.getTimerCount()).toBe(0);
    held.connection.keepAlive(0);
    expect(held.keepalives()).toBe(3);
  });
});
