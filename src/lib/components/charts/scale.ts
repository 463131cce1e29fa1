/** Shared geometry for the hand-made SVG charts: one viewBox, a value axis rounded to friendly numbers. */
export const WIDTH = 640;
export const HEIGHT = 220;
export const PAD = { top: 12, right: 12, bottom: 28, left: 56 };
export const PLOT_W = WIDTH - PAD.left - PAD.right;
export const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

/** The smallest 1/2/4/6/8 × 10^n at or above `max`: its quarters (the gridlines) are round numbers too. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 4, 6, 8, 10]) if (step * magnitude >= max - 1e-9) return step * magnitude;
  return 10 * magnitude;
}

/** Counts: never fewer than four so every gridline is a whole number. */
export const niceCountMax = (max: number) => Math.max(4, niceMax(max));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Durations: round in the unit the axis labels will use (minutes, hours or days). */
export function niceDurationMax(ms: number): number {
  const unit = ms <= 90 * MINUTE ? MINUTE : ms <= 48 * HOUR ? HOUR : DAY;
  return niceMax(Math.max(ms, unit) / unit) * unit;
}

/** Four equal steps from 0 to `max`. */
export const ticks = (max: number) => [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);

export const y = (value: number, max: number) => PAD.top + PLOT_H - (value / max) * PLOT_H;

/** Centre of the i-th of n slots along the x axis. */
export const slotX = (i: number, n: number) => PAD.left + (PLOT_W / n) * (i + 0.5);

/** Label every k-th slot so the axis never crowds: at most eight labels. */
export const labelEvery = (n: number) => Math.max(1, Math.ceil(n / 8));
