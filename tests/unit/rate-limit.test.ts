import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../server/auth/rate-limit.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('allows `limit` attempts per window, then blocks with the seconds left', () => {
    const time = clock();
    const limiter = new RateLimiter({ limit: 3, windowMs: 60_000, now: time.now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.check('k').allowed).toBe(true);
      limiter.hit('k');
    }
    expect(limiter.check('k')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    time.advance(45_500);
    expect(limiter.check('k')).toEqual({ allowed: false, retryAfterSeconds: 15 });
    time.advance(14_500);
    expect(limiter.check('k').allowed).toBe(true);
  });

  it('counts keys separately and resets one on demand', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1000, now: clock().now });
    limiter.hit('a');
    expect(limiter.check('a').allowed).toBe(false);
    expect(limiter.check('b').allowed).toBe(true);
    limiter.reset('a');
    expect(limiter.check('a').allowed).toBe(true);
  });

  it('keeps memory bounded under many distinct keys, evicting the oldest', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 100, now: clock().now });
    for (let i = 0; i < 1000; i++) limiter.hit(`key${i}`);
    expect(limiter.check('key0').allowed).toBe(true);
    expect(limiter.check('key999').allowed).toBe(false);
  });
});
