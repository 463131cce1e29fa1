/** Local date and time, short; the exact UTC instant goes in a title attribute. */
export function formatDateTime(iso: string | Date): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function utc(iso: string | Date): string {
  return new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}
