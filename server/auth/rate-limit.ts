/**
 * Fixed-window counters in memory, per key ("account:<email>", "ip:<addr>").
 * One process only: with several app servers each would count on its own,
 * which still bounds guessing to N × limit.
 */
export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  /** Bounds memory under a flood of distinct keys; oldest windows go first. */
  maxKeys?: number;
  now?: () => number;
}

export interface RateLimitState {
  allowed: boolean;
  /** Seconds until the window resets (0 when allowed). */
  retryAfterSeconds: number;
}

export class RateLimiter {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  readonly #options: Required<RateLimiterOptions>;

  constructor(options: RateLimiterOptions) {
    this.#options = { maxKeys: 100_000, now: Date.now, ...options };
  }

  #current(key: string) {
    const window = this.#windows.get(key);
    if (window && window.resetAt <= this.#options.now()) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }

  /** Whether another attempt is allowed now, without counting one. */
  check(key: string): RateLimitState {
    const window = this.#current(key);
    if (!window || window.count < this.#options.limit) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - this.#options.now()) / 1000)) };
  }

  /** Counts one attempt against the key. */
  hit(key: string): void {
    const window = this.#current(key);
    if (window) {
      window.count++;
      return;
    }
    if (this.#windows.size >= this.#options.maxKeys) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    this.#windows.set(key, { count: 1, resetAt: this.#options.now() + this.#options.windowMs });
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }
}
