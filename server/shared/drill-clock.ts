/**
 * The drill clock: time since the drill started, minus the time the
 * facilitator held it paused (a break, a discussion the facilitator called).
 * Scheduled injects and every time in the debrief read this clock, so a
 * ten-minute pause neither fires the next inject early nor makes the team
 * look ten minutes slower. Pure.
 */

export interface Pause {
  from: Date;
  /** null while the clock is paused. */
  to: Date | null;
}

export interface DrillClock {
  startedAt: Date;
  pauses: readonly Pause[];
  /** The drill ended: the clock stops there. */
  endedAt: Date | null;
}

export const isPaused = (clock: DrillClock) => clock.pauses.some((p) => p.to === null);

/** Drill-clock milliseconds at wall-clock `at` (clamped to the start and the end). */
export function elapsedAt(clock: DrillClock, at: Date): number {
  const stop = Math.min(at.getTime(), clock.endedAt?.getTime() ?? Infinity);
  let held = 0;
  for (const pause of clock.pauses) {
    const from = pause.from.getTime();
    if (from >= stop) continue;
    const to = Math.min(pause.to?.getTime() ?? Infinity, stop);
    held += Math.max(0, to - from);
  }
  return Math.max(0, stop - clock.startedAt.getTime() - held);
}

/** Total time held paused up to `at`. */
export function pausedFor(clock: DrillClock, at: Date): number {
  const stop = Math.min(at.getTime(), clock.endedAt?.getTime() ?? Infinity);
  return Math.max(0, stop - clock.startedAt.getTime()) - elapsedAt(clock, at);
}

/** The clock after pausing or resuming at `at`; unchanged when it already is in that state. */
export function toggled(pauses: readonly Pause[], pause: boolean, at: Date): Pause[] {
  const open = pauses.some((p) => p.to === null);
  if (pause === open) return [...pauses];
  if (pause) return [...pauses, { from: at, to: null }];
  return pauses.map((p) => (p.to === null ? { from: p.from, to: at } : p));
}
