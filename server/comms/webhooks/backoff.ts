/**
 * When to try a failed delivery again: exponential ("base × 2^(attempt−1)"),
 * capped, with "equal jitter" (half fixed, half random) so endpoints that came
 * back at the same moment are not hit by every queued retry at once.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 15_000, maxMs: 60 * 60 * 1000 };
export const DEFAULT_MAX_ATTEMPTS = 8;

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) failed ones. */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
