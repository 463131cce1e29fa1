import { describe, expect, it } from 'vitest';
import { durationBetween, formatDuration } from '../../server/shared/duration.ts';
import { durationText } from '../../server/postmortem/draft-impact.ts';
import { formatMs } from '../../src/lib/metrics.ts';

const MIN = 60_000;

describe('the one duration format', () => {
  it.each([
    [0, '0 s'],
    [999, '0 s'],
    [45_000, '45 s'],
    [60_000, '1 min'],
    // The figure the pages disagreed on: 2 min 37 s was "3 min" on /metrics and "2 min" in the postmortem.
    [2 * MIN + 37_000, '2 min 37 s'],
    [59 * MIN + 59_999, '59 min 59 s'],
    [60 * MIN, '1 h'],
    [65 * MIN + 30_000, '1 h 5 min'],
    [26 * 60 * MIN + 3 * MIN, '1 d 2 h'],
    [3 * 1440 * MIN, '3 d'],
    [-1000, '0 s'],
  ])('formatDuration(%i) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads the same on /metrics and in the postmortem', () => {
    const started = new Date('2026-03-12T22:00:00Z');
    const detected = new Date('2026-03-12T22:02:37Z');
    const ms = durationBetween(started, detected)!;
    expect(formatMs(ms)).toBe('2 min 37 s');
    expect(durationText(started, detected)).toBe('2 min 37 s');
  });

  it('has no duration for a missing end or a clock running backwards', () => {
    expect(durationBetween(new Date('2026-03-12T22:00:00Z'), null)).toBeNull();
    expect(durationBetween('2026-03-12T22:00:00Z', '2026-03-12T21:00:00Z')).toBeNull();
    expect(formatMs(null)).toBe('—');
  });
});
