/**
 * When a runbook stops being trusted: six months without a "verified" stamp
 * (or, never verified, six months after it was written). Systems change
 * under runbooks; a runbook nobody has followed since is as likely to hurt
 * as to help, so the list and the war room say so.
 */
export const STALE_AFTER_MONTHS = 6;

/** Calendar months, clamped: Aug 31 + 6 months is Feb 28/29, not Mar 3. */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}

/** The moment the runbook becomes stale. */
export function staleSince(runbook: { createdAt: Date; lastVerifiedAt: Date | null }): Date {
  return addMonths(runbook.lastVerifiedAt ?? runbook.createdAt, STALE_AFTER_MONTHS);
}

export function isStale(runbook: { createdAt: Date; lastVerifiedAt: Date | null }, now: Date): boolean {
  return now.getTime() >= staleSince(runbook).getTime();
}
