/**
 * When the next stakeholder update is due, per audience. Pure (no imports at
 * run time), so the war room's countdown can use the same rules.
 *
 * An update is due `interval` after the audience's last published update (or
 * after the declaration, before the first): past that deadline it is
 * overdue. A state change after the last update makes one due at once, not
 * overdue: every audience should hear "→ monitoring", and nobody was late
 * yet. Resolved incidents keep only that prompt (the final update); closed
 * ones owe nothing. The header's pill and the updates pane both read
 * `dueState`, so they always say the same.
 */
import type { Audience } from './audiences.ts';

/** Minutes between updates by severity; null = only when the state changes. */
export const DEFAULT_INTERVALS: Record<1 | 2 | 3 | 4, Record<Audience, number | null>> = {
  1: { responders: 30, support: 30, leadership: 30, public: 30 },
  2: { responders: 60, support: 60, leadership: 60, public: 60 },
  3: { responders: null, support: null, leadership: null, public: null },
  4: { responders: null, support: null, leadership: null, public: null },
};

/** Amber from this long before the deadline. */
export const SOON_MS = 5 * 60_000;

/** ok; soon: the deadline is near; due: a state change asks for an update now; overdue: the deadline passed. */
export type DueState = 'ok' | 'soon' | 'due' | 'overdue';

export interface CadenceInput {
  severity: 1 | 2 | 3 | 4;
  state: string;
  declaredAt: Date;
  /** A per-incident override; undefined = the severity's default, null interval = no timer. */
  override?: { intervalMinutes: number | null };
  lastPublishedAt: Date | null;
  /** The latest state change (not the declaration). */
  lastStateChangeAt: Date | null;
}

export interface Cadence {
  intervalMinutes: number | null;
  /** True when the interval is the incident's own, not the severity default. */
  overridden: boolean;
  lastPublishedAt: Date | null;
  /** Null when nothing is owed. */
  nextDueAt: Date | null;
  /** A state change happened after the last update. */
  prompted: boolean;
  /** When the timer runs out and the update becomes overdue; null without a running timer. */
  deadlineAt: Date | null;
}

export function intervalFor(input: Pick<CadenceInput, 'severity' | 'override'>, audience: Audience): number | null {
  return input.override ? input.override.intervalMinutes : DEFAULT_INTERVALS[input.severity][audience];
}

export function cadenceFor(input: CadenceInput, audience: Audience): Cadence {
  const intervalMinutes = intervalFor(input, audience);
  const base = { intervalMinutes, overridden: input.override !== undefined, lastPublishedAt: input.lastPublishedAt };
  if (input.state === 'closed') return { ...base, nextDueAt: null, prompted: false, deadlineAt: null };
  const prompted = input.lastStateChangeAt !== null && (input.lastPublishedAt === null || input.lastStateChangeAt > input.lastPublishedAt);
  const deadlineAt =
    intervalMinutes !== null && input.state !== 'resolved' ? new Date((input.lastPublishedAt ?? input.declaredAt).getTime() + intervalMinutes * 60_000) : null;
  const candidates = [prompted ? input.lastStateChangeAt! : null, deadlineAt].filter((d): d is Date => d !== null);
  const nextDueAt = candidates.length > 0 ? new Date(Math.min(...candidates.map((d) => d.getTime()))) : null;
  return { ...base, nextDueAt, prompted, deadlineAt };
}

export function dueState(cadence: Pick<Cadence, 'prompted' | 'deadlineAt'>, now: Date): DueState {
  const left = cadence.deadlineAt ? cadence.deadlineAt.getTime() - now.getTime() : null;
  if (left !== null && left <= 0) return 'overdue';
  if (cadence.prompted) return 'due';
  return left !== null && left <= SOON_MS ? 'soon' : 'ok';
}
