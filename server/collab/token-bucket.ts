/**
 * Allows `perSecond` tokens on average with bursts up to `burst`. A caller
 * takes one token per message, or one per byte; `take` is false (and takes
 * nothing) when there are not enough.
 */
export class TokenBucket {
  readonly #perSecond: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  constructor(perSecond: number, burst = perSecond) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = performance.now();
  }

  /** Whether `count` tokens are there now. More than the burst are never there. */
  has(count = 1, now = performance.now()): boolean {
    this.#refill(now);
    return this.#tokens >= count;
  }

  take(count = 1, now = performance.now()): boolean {
    if (!this.has(count, now)) return false;
    this.#tokens -= count;
    return true;
  }

  /** Milliseconds until `take(count)` can succeed again. */
  msUntilNext(count = 1, now = performance.now()): number {
    this.#refill(now);
    return this.#tokens >= count ? 0 : Math.ceil(((count - this.#tokens) / this.#perSecond) * 1000);
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#perSecond);
    this.#at = now;
  }
}
