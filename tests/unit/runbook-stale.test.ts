import { describe, expect, it } from 'vitest';
import { addMonths, isStale, staleSince } from '../../server/runbooks/stale.ts';

const at = (s: string) => new Date(s);

describe('runbook stale rule (6 months without verification)', () => {
  it('counts from the last verification', () => {
    const runbook = { createdAt: at('2025-01-10T00:00:00Z'), lastVerifiedAt: at('2026-03-15T12:00:00Z') };
    expect(staleSince(runbook).toISOString()).toBe('2026-09-15T12:00:00.000Z');
    expect(isStale(runbook, at('2026-09-15T11:59:59Z'))).toBe(false);
    expect(isStale(runbook, at('2026-09-15T12:00:00Z'))).toBe(true);
  });

  it('counts from creation when never verified', () => {
    const runbook = { createdAt: at('2026-01-01T00:00:00Z'), lastVerifiedAt: null };
    expect(isStale(runbook, at('2026-06-30T00:00:00Z'))).toBe(false);
    expect(isStale(runbook, at('2026-07-01T00:00:00Z'))).toBe(true);
  });

  it('a recent verification makes an old runbook fresh again', () => {
    const runbook = { createdAt: at('2020-01-01T00:00:00Z'), lastVerifiedAt: at('2026-05-01T00:00:00Z') };
    expect(isStale(runbook, at('2026-06-01T00:00:00Z'))).toBe(false);
  });

  it('clamps month ends (Aug 31 + 6 months = end of February)', () => {
    expect(addMonths(at('2025-08-31T10:00:00Z'), 6).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addMonths(at('2027-08-31T10:00:00Z'), 6).toISOString()).toBe('2028-02-29T10:00:00.000Z');
  });
});
