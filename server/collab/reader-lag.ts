/**
 * How far behind each client is, read from the presence it sends back.
 *
 * The stock y-websocket provider sends every presence update it applies
 * straight back to the server, with the clocks the server gave it. The
 * server's clocks only grow, so the newest clock in such an echo names the
 * newest presence frame the client had applied when it answered: the time
 * since that frame was sent is how long the client takes to get through what
 * it is sent (its event loop's queue, a slow device, a busy tab). A client
 * that echoes nothing (another implementation) is never found behind.
 *
 * The room uses it to send a client that is behind one merged update every
 * few tens of milliseconds instead of one frame per change (see fan-out.ts):
 * applying one merged update costs a client about as much as applying one
 * keystroke, so a tab that cannot keep up gets less to do instead of an
 * ever longer queue.
 */

/** A client whose echoes come back later than this is behind. */
export const BEHIND_AFTER_MS = 40;
/** How long a client counts as behind after an echo came back late. */
export const BEHIND_FOR_MS = 1_000;
/** Presence frames remembered: at one per flush (50–250 ms), a dozen seconds or more. */
const REMEMBERED_FRAMES = 64;

/** When the presence frames carrying each range of clocks were sent. */
export class PresenceSendLog {
  readonly #clocks = new Float64Array(REMEMBERED_FRAMES);
  readonly #sentAt = new Float64Array(REMEMBERED_FRAMES);
  #count = 0;
  /** Clocks up to this one were given out before this log began (an earlier room): nothing to time them by. */
  readonly #before: number;

  constructor(startClock: number) {
    this.#before = startClock;
  }

  /** A frame carrying clocks up to `lastClock` was sent at `at`. */
  record(lastClock: number, at: number): void {
    const slot = this.#count % REMEMBERED_FRAMES;
    this.#clocks[slot] = lastClock;
    this.#sentAt[slot] = at;
    this.#count++;
  }

  /**
   * When the first remembered frame carrying `clock` was sent (for a clock
   * older than everything remembered, the oldest frame's time: the client is
   * at least that far behind); null for a clock never sent.
   */
  sentAt(clock: number): number | null {
    if (clock <= this.#before) return null;
    for (let i = Math.max(0, this.#count - REMEMBERED_FRAMES); i < this.#count; i++) {
      const slot = i % REMEMBERED_FRAMES;
      if (this.#clocks[slot] >= clock) return this.#sentAt[slot];
    }
    return null;
  }
}

/**
 * One client's lag, as its echoes tell it. A late echo counts for a second:
 * a busy client answers some echoes quickly (those that arrived just before
 * it got a turn) and others late, so the last one alone would have it in and
 * out of the slower lane with every frame.
 */
export class ReaderLag {
  #behindUntil = -Infinity;

  /** Notes an echo's lag; true when it came back late. */
  heard(lagMs: number, now = performance.now()): boolean {
    if (lagMs <= BEHIND_AFTER_MS) return false;
    this.#behindUntil = now + BEHIND_FOR_MS;
    return true;
  }

  /** Whether an echo of the last second came back late. */
  behind(now = performance.now()): boolean {
    return now < this.#behindUntil;
  }
}
