/**
 * The one way Warroom writes a duration, on every page and in every text it
 * sends: the war room's clocks and key times, the postmortem, /metrics,
 * /patterns and stakeholder updates. Shared with the browser: no Node imports.
 *
 * The two largest units, truncated, never rounded: 2 min 37 s is "2 min 37 s"
 * everywhere, and a duration never reads longer than it was (a stopwatch, not
 * an estimate).
 */
const UNITS = [
  { ms: 86_400_000, label: 'd' },
  { ms: 3_600_000, label: 'h' },
  { ms: 60_000, label: 'min' },
  { ms: 1000, label: 's' },
] as const;

/** "0 s", "45 s", "2 min 37 s", "1 h", "1 h 5 min", "3 d 4 h"; negative durations read as "0 s". */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.floor(ms / 1000) * 1000);
  const largest = UNITS.findIndex((unit) => rest >= unit.ms);
  if (largest === -1) return '0 s';
  const parts: string[] = [];
  for (const unit of UNITS.slice(largest, largest + 2)) {
    const count = Math.floor(rest / unit.ms);
    rest -= count * unit.ms;
    if (count > 0) parts.push(`${count} ${unit.label}`);
  }
  return parts.join(' ');
}

/** The duration between two times, or null when either is missing or the clock ran backwards. */
export function durationBetween(from: Date | string | null, to: Date | string | null): number | null {
  if (!from || !to) return null;
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return ms >= 0 ? ms : null;
}
