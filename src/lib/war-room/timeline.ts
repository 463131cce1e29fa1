/** How the war room's timeline shows an entry linked to a hypothesis. */

/**
 * The statement to show after the entry ("— re: …"), or null when the entry's
 * text already says it: "Confirmed: X" needs no "re: X" after it.
 */
export function hypothesisReference(text: string, statement: string | undefined): string | null {
  if (!statement?.trim()) return null;
  const flat = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  return flat(text).includes(flat(statement)) ? null : statement;
}
