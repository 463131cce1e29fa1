/**
 * Login attempt counters shared by every process, in Redis: a guesser who is
 * spread over the processes by the load balancer meets the same limit as
 * against one. Check-and-count runs as one Lua script, so concurrent attempts
 * on different processes cannot all pass the check before one is counted.
 *
 * While Redis is away, each process counts in its own memory (guessing is
 * then bounded by processes × limit, as it was before shared counters).
 */
import type { RedisClientType } from 'redis';
import { RateLimiter, type LoginLimiter, type RateLimitState } from '../auth/rate-limit.ts';
import type { Logger } from '../log.ts';

// KEYS: the counters; ARGV[1]: window in ms; ARGV[2..]: each key's limit.
// Returns {1, 0} after counting, or {0, ms until the refusing key's window ends}.
const ATTEMPT = `
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count >= tonumber(ARGV[i + 1]) then return {0, redis.call('PTTL', key)} end
end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
end
return {1, 0}`;

const UNCOUNT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

export class RedisRateLimiter implements LoginLimiter {
  readonly limit: number;
  readonly #redis: RedisClientType;
  readonly #prefix: string;
  readonly #windowMs: number;
  readonly #local: RateLimiter;
  readonly #log: Logger;

  constructor(options: { redis: RedisClientType; prefix: string; limit: number; windowMs: number; log: Logger }) {
    this.limit = options.limit;
    this.#redis = options.redis;
    this.#prefix = `${options.prefix}:login:`;
    this.#windowMs = options.windowMs;
    this.#local = new RateLimiter({ limit: options.limit, windowMs: options.windowMs });
    this.#log = options.log;
  }

  async attempt(limits: { key: string; limit: number }[]): Promise<RateLimitState | null> {
    if (!this.#redis.isReady) return this.#local.attemptNow(limits);
    try {
      const [counted, ttlMs] = (await this.#redis.eval(ATTEMPT, {
        keys: limits.map(({ key }) => this.#prefix + key),
        arguments: [String(this.#windowMs), ...limits.map(({ limit }) => String(limit))],
      })) as [number, number];
      if (counted === 1) return null;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Number(ttlMs) / 1000)) };
    } catch (error) {
      this.#log.warn({ err: error }, 'shared login counters unavailable; counting in this process');
      return this.#local.attemptNow(limits);
    }
  }

  async reset(key: string): Promise<void> {
    this.#local.reset(key);
    await this.#shared('forget a login counter', () => this.#redis.del(this.#prefix + key));
  }

  async uncount(key: string): Promise<void> {
    this.#local.uncount(key);
    await this.#shared('take back a counted login attempt', () => this.#redis.eval(UNCOUNT, { keys: [this.#prefix + key], arguments: [] }));
  }

  /** A successful login must not fail because Redis went away: the counter then simply expires with its window. */
  async #shared(what: string, command: () => Promise<unknown>): Promise<void> {
    if (!this.#redis.isReady) return;
    try {
      await command();
    } catch (error) {
      this.#log.warn({ err: error }, `could not ${what} in Redis; it expires with its window`);
    }
  }
}
