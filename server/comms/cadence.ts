/**
 * When the next stakeholder update is due, per audience. Pure (no imports at
 * run time), so the war room's countdown can use the same rules.
 *
 * An update is due `interval` after the audience's last published update (or
 * after the declaration, before the first). A state change after the last
 * update makes one due at once: every audience should hear "→ monitoring".
 * Resolved incidents keep only that prompt; closed ones owe nothing.
 */
import type { Audience } from './types.ts';

/** Minutes between updates by severity; null = only when the state changes. */
export const DEFAULT_INTERVALS: Record<1 | 2 | 3 | 4, Record<Audience, number | null>> = {
  1: { responders: 30, support: 30, leadership: 30, public: 30 },
  2: { responders: 60, support: 60, leadership: 60, public: 60 },
  3: { responders: null, support: null, leadership: null, public: null },
  4: { responders: null, support: null, leadership: null, public: null },
};

/** Amber from this long before the deadline. */
export const SOON_MS = 5 * 60_000;

export type DueState = 'ok' | 'soon' | 'overdue';

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
}

export function intervalFor(input: Pick<CadenceInput, 'severity' | 'override'>, audience: Audience): number | null {
  return input.override ? input.override.intervalMinutes : DEFAULT_INTERVALS[input.severity][audience];
}

export function cadenceFor(input: CadenceInput, audience: Audience): Cadence {
  const intervalMinutes = intervalFor(input, audience);
  const base = { intervalMinutes, overridden: input.override !== undefined, lastPublishedAt: input.lastPublishedAt };
  if (input.state === 'closed') return { ...base, nextDueAt: null, prompted: false };
  const prompted = input.lastStateChangeAt !== null && (input.lastPublishedAt === null || input.lastStateChangeAt > input.lastPublishedAt);
  const candidates: Date[] = [];
  if (prompted) candidates.push(input.lastStateChangeAt!);
  if (intervalMinutes !== null && input.state !== 'resolved') {
    candidates.push(new Date((input.lastPublishedAt ?? input.declaredAt).getTime() + intervalMinutes * 60_000));
  }
  const nextDueAt = candidates.length > 0 ? new Date(Math.min(...candidates.map((d) => d.getTime()))) : null;
  return { ...base, nextDueAt, prompted };
}

export function dueState(nextDueAt: Date | null, now: Date): DueState {
  if (!nextDueAt) return 'ok';
  const left = nextDueAt.getTime() - now.getTime();
  if (left <= 0) return 'overdue';
  return left <= SOON_MS ? 'soon' : 'ok';
}
