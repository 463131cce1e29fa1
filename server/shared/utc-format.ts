/**
 * Dates and times written out in UTC, never the reader's locale: stakeholder
 * updates, the public status page, postmortems and events are read by people
 * in other time zones, and a cached page must read the same for everyone.
 */
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const pad = (n: number) => String(n).padStart(2, '0');

/** "23 Nov 2026" */
export const formatUtcDay = (date: Date) => `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;

/** "10:41 UTC" */
export const formatUtcTime = (date: Date) => `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;

/** "23 Nov 2026, 10:41 UTC" */
export const formatUtcDateTime = (date: Date) => `${formatUtcDay(date)}, ${formatUtcTime(date)}`;
