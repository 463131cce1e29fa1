import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS } from '../../server/comms/webhooks/backoff.ts';

describe('webhook retry backoff', () => {
  it('doubles from the base up to the cap, with at most half of it random', () => {
    const low = (attempt: number) => backoffDelay(attempt, { baseMs: 1000, maxMs: 10_000 }, () => 0);
    const high = (attempt: number) => backoffDelay(attempt, { baseMs: 1000, maxMs: 10_000 }, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(high)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect([1, 2, 3, 4, 5, 6].map(low)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('stays within bounds for any attempt number, including silly ones', () => {
    for (const attempt of [0, 1, 7, 8, 50, 1000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.baseMs / 2);
      expect(delay).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
    }
  });

  it('gives up within a few hours with the defaults', () => {
    let total = 0;
    for (let attempt = 1; attempt < DEFAULT_MAX_ATTEMPTS; attempt++) total += backoffDelay(attempt, DEFAULT_BACKOFF, () => 1);
    expect(total).toBeLessThanOrEqual(4 * 60 * 60 * 1000);
    expect(total).toBeGreaterThanOrEqual(30 * 60 * 1000);
  });
});
