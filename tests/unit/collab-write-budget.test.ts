/**
 * A person's byte budget for document messages: shared by all their
 * connections, paced with backpressure and never a reason to close, and not
 * refilled by closing a socket and opening another.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEEPALIVE_MS } from '../../server/collab/connection.ts';
import { NOTHING_NEW, type IncomingMessage } from '../../server/collab/protocol.ts';
import { WriteBudgets } from '../../server/collab/write-budgets.ts';
import { fakeConnection } from '../helpers/memory-store.ts';
import { syncFrame } from '../helpers/yjs.ts';

const BYTES_PER_SECOND = 10_000;
const MAX_MESSAGE = 4_000;
/** A document message of about 1,000 bytes. */
const chunk = syncFrame(2, new Uint8Array(1_000));

function writer(budgets: WriteBudgets, userId: string) {
  const held = budgets.hold(userId);
  const peer = fakeConnection('doc', { userId, maxMessageBytes: MAX_MESSAGE, writeBudget: held.bucket });
  peer.connection.whenGone(held.release);
  const handled: IncomingMessage[] = [];
  let paused = false;
  Object.assign(peer.socket, { pause: () => (paused = true), resume: () => (paused = false) });
  peer.connection.attach({ receive: (_c, message) => handled.push(message), leave: () => {} });
  // The upgrade's heartbeat, which asks the connection to keep the client's line alive.
  const heartbeat = setInterval(() => peer.connection.keepAlive(), KEEPALIVE_MS);
  peer.connection.whenGone(() => clearInterval(heartbeat));
  /** Sends `count` chunks the way a socket would: only while it is being read. */
  const stream = (count: number) => {
    let sent = 0;
    const more = () => {
      while (sent < count && !paused) {
        peer.connection.receive(chunk);
        sent++;
      }
    };
    return { more, done: () => sent === count };
  };
  return { ...peer, handled, stream, isPaused: () => paused };
}

describe("a person's write budget", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('paces a stream of large changes to the budget and never closes the connection for it', () => {
    const budgets = new WriteBudgets(BYTES_PER_SECOND, MAX_MESSAGE);
    const heavy = writer(budgets, 'mallory');
    const stream = heavy.stream(250); // ~250 kB: 23 seconds at the budget, after a burst of two
    stream.more();
    expect(heavy.isPaused()).toBe(true);
    const handledAfter = (ms: number) => {
      vi.advanceTimersByTime(ms);
      stream.more();
      return heavy.handled.length;
    };
    // The burst (two seconds' worth) goes through at once, then about ten chunks a second.
    expect(heavy.handled.length).toBeGreaterThanOrEqual(19);
    expect(heavy.handled.length).toBeLessThanOrEqual(21);
    let elapsed = 0;
    while (!stream.done() && elapsed < 60_000) {
      handledAfter(500);
      elapsed += 500;
    }
    handledAfter(10_000);
    expect(heavy.handled.length).toBe(250);
    // (250 - 20) chunks of ~1,003 bytes at 10,000 bytes a second, far past the message rate's patience.
    expect(elapsed).toBeGreaterThanOrEqual(22_000);
    expect(heavy.socket.closedWith).toBeNull();
    // Held that long, it heard from the server now and then (the stock client gives up after 30 s of silence), and no more often than that.
    const keepalives = heavy.socket.sent.filter((frame) => frame === NOTHING_NEW).length;
    expect(keepalives).toBeGreaterThanOrEqual(Math.floor(elapsed / KEEPALIVE_MS));
    expect(keepalives).toBeLessThanOrEqual(Math.floor((elapsed + 10_000) / KEEPALIVE_MS));
  });

  it("is shared by a person's connections, and another person's has nothing to do with it", () => {
    const budgets = new WriteBudgets(BYTES_PER_SECOND, MAX_MESSAGE);
    const [first, second] = [writer(budgets, 'mallory'), writer(budgets, 'mallory')];
    const other = writer(budgets, 'ana');
    first.stream(20).more();
    // The first socket spent the person's burst: the second waits for the same budget.
    second.connection.receive(chunk);
    expect(second.handled.length).toBe(0);
    expect(second.isPaused()).toBe(true);
    other.connection.receive(chunk);
    expect(other.handled.length).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(second.handled.length).toBe(1);
  });

  it('does not give a fresh burst to someone who closes a socket and opens another', () => {
    const budgets = new WriteBudgets(BYTES_PER_SECOND, MAX_MESSAGE);
    const spent = writer(budgets, 'mallory');
    spent.stream(20).more();
    spent.connection.close(1000, 'bye');
    // Enough other connections come and go for the budgets to be pruned in between.
    for (let i = 0; i < 150; i++) budgets.hold(`someone-${i}`).release();
    expect(budgets.keeps('mallory')).toBe(true);
    const again = writer(budgets, 'mallory');
    again.connection.receive(chunk);
    expect(again.handled.length).toBe(0);
    // Once it has filled up again with nobody connected, it is forgotten.
    vi.advanceTimersByTime(5_000);
    again.connection.close(1000, 'bye');
    for (let i = 0; i < 150; i++) budgets.hold(`someone-else-${i}`).release();
    expect(budgets.keeps('mallory')).toBe(false);
  });
});
