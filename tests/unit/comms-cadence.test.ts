import { describe, expect, it } from 'vitest';
import { cadenceFor, dueState, type CadenceInput } from '../../server/shared/cadence.ts';
import type { Audience } from '../../server/shared/audiences.ts';

const T0 = new Date('2026-03-01T14:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const input = (overrides: Partial<CadenceInput> = {}): CadenceInput => ({
  severity: 1,
  state: 'investigating',
  declaredAt: T0,
  lastPublishedAt: null,
  lastStateChangeAt: null,
  ...overrides,
});

describe('cadenceFor', () => {
  it.each<[string, Partial<CadenceInput>, Audience, { interval: number | null; due: Date | null; prompted?: boolean }]>([
    ['SEV1 leadership, nothing published: 30 min after declaring', {}, 'leadership', { interval: 30, due: at(30) }],
    ['SEV1 public', {}, 'public', { interval: 30, due: at(30) }],
    ['SEV1 responders', {}, 'responders', { interval: 30, due: at(30) }],
    ['SEV2 support: 60 min', { severity: 2 }, 'support', { interval: 60, due: at(60) }],
    ['SEV3: no timer', { severity: 3 }, 'leadership', { interval: null, due: null }],
    ['SEV4: no timer', { severity: 4 }, 'public', { interval: null, due: null }],
    ['counts from the last update', { lastPublishedAt: at(20) }, 'leadership', { interval: 30, due: at(50) }],
    ['override to 15 min', { override: { intervalMinutes: 15 } }, 'leadership', { interval: 15, due: at(15) }],
    ['override to no timer', { override: { intervalMinutes: null } }, 'leadership', { interval: null, due: null }],
    ['override gives SEV3 a timer', { severity: 3, override: { intervalMinutes: 45 } }, 'support', { interval: 45, due: at(45) }],
    ['a state change after the last update is due at once', { lastPublishedAt: at(5), lastStateChangeAt: at(10) }, 'leadership', { interval: 30, due: at(10), prompted: true }],
    ['a state change with no timer still prompts', { severity: 3, lastStateChangeAt: at(10) }, 'public', { interval: null, due: at(10), prompted: true }],
    ['an update after the state change clears the prompt', { lastStateChangeAt: at(10), lastPublishedAt: at(12) }, 'leadership', { interval: 30, due: at(42), prompted: false }],
    ['resolved: only the prompt remains', { state: 'resolved', lastStateChangeAt: at(50) }, 'leadership', { interval: 30, due: at(50), prompted: true }],
    ['resolved and announced: nothing due', { state: 'resolved', lastStateChangeAt: at(50), lastPublishedAt: at(55) }, 'leadership', { interval: 30, due: null }],
    ['closed: nothing due', { state: 'closed', lastStateChangeAt: at(90) }, 'leadership', { interval: 30, due: null, prompted: false }],
  ])('%s', (_name, overrides, audience, expected) => {
    const cadence = cadenceFor(input(overrides), audience);
    expect(cadence.intervalMinutes).toBe(expected.interval);
    expect(cadence.nextDueAt).toEqual(expected.due);
    expect(cadence.overridden).toBe(overrides.override !== undefined);
    if (expected.prompted !== undefined) expect(cadence.prompted).toBe(expected.prompted);
  });
});

describe('dueState', () => {
  it.each<[number | null, number, string]>([
    [null, 0, 'ok'],
    [30, 0, 'ok'],
    [30, 24.9, 'ok'],
    [30, 25, 'soon'],
    [30, 29.99, 'soon'],
    [30, 30, 'overdue'],
    [30, 90, 'overdue'],
  ])('deadline at +%s, now +%s → %s', (deadline, now, state) => {
    expect(dueState({ prompted: false, deadlineAt: deadline === null ? null : at(deadline) }, at(now))).toBe(state);
  });

  it('makes an update due, not overdue, the moment the state changes; overdue only once the deadline passes', () => {
    const changed = cadenceFor(input({ lastPublishedAt: at(5), lastStateChangeAt: at(10) }), 'leadership');
    expect(dueState(changed, at(10))).toBe('due');
    expect(dueState(changed, at(34))).toBe('due');
    expect(dueState(changed, at(35))).toBe('overdue');
    // No timer: a state change keeps it due until someone publishes.
    const untimed = cadenceFor(input({ severity: 3, lastStateChangeAt: at(10) }), 'public');
    expect(dueState(untimed, at(500))).toBe('due');
    // Resolving asks every audience for a final update.
    const resolved = cadenceFor(input({ state: 'resolved', lastPublishedAt: at(40), lastStateChangeAt: at(50) }), 'public');
    expect(resolved.deadlineAt).toBeNull();
    expect(dueState(resolved, at(50))).toBe('due');
  });
});
