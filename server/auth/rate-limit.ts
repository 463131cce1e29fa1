/**
 * Fixed-window counters in memory, per key ("account:<email>", "ip:<addr>").
 * Check and count with nothing awaited in between, or concurrent requests all
 * pass the check before the first one is counted.
 * One process only: several processes (cluster mode) share counters in Redis
 * through the same LoginLimiter interface (server/cluster/redis-rate-limit.ts).
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

/** What logging in needs from a limiter: in memory for one process, shared through Redis for several. */
export interface LoginLimiter {
  /** The limit a key is checked against when none is given. */
  readonly limit: number;
  /**
   * When every key is under its limit, counts one attempt against each and
   * resolves null; otherwise resolves the first refusal and counts none.
   * Checking and counting are one step, so concurrent attempts cannot all pass.
   */
  attempt(limits: { key: string; limit: number }[]): Promise<RateLimitState | null>;
  reset(key: string): void | Promise<void>;
  uncount(key: string): void | Promise<void>;
}

export class RateLimiter implements LoginLimiter {
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

  /** Whether another attempt is allowed now, without counting one. `limit` overrides the limiter's own for this key. */
  check(key: string, limit = this.#options.limit): RateLimitState {
    const window = this.#current(key);
    if (!window || window.count < limit) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - this.#options.now()) / 1000)) };
  }

  /** The limit a key is checked against when none is given. */
  get limit(): number {
    return this.#options.limit;
  }

  async attempt(limits: { key: string; limit: number }[]): Promise<RateLimitState | null> {
    return this.attemptNow(limits);
  }

  /** `attempt`, synchronously (the shared limiter falls back to this while Redis is away). */
  attemptNow(limits: { key: string; limit: number }[]): RateLimitState | null {
    const blocked = limits.map(({ key, limit }) => this.check(key, limit)).find((state) => !state.allowed);
    if (blocked) return blocked;
    for (const { key } of limits) this.hit(key);
    return null;
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

  /** Takes back one counted attempt (one that turned out not to be a failure). */
  uncount(key: string): void {
    const window = this.#current(key);
    if (window && window.count > 0) window.count--;
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }
}
