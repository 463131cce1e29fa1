/**
 * Runbooks are read by every member; a private incident is not. A runbook
 * written from one must not carry its words out by accident: the prefill
 * leaves them out, and a save that quotes them is answered with a warning
 * the writer confirms (or edits away) first.
 */

const MIN_QUOTE = 8;

const normalise = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** What of the incident's private text (its title, lines of its summary) the runbook repeats. */
export function privateQuotes(incident: { title: string; summary: string }, runbook: { title: string; failureMode?: string; body: string }): string[] {
  const haystack = normalise([runbook.title, runbook.failureMode ?? '', runbook.body].join('\n'));
  const candidates = [incident.title, ...incident.summary.split('\n')].map(normalise).filter((text) => text.length >= MIN_QUOTE);
  return [...new Set(candidates)].filter((text) => haystack.includes(text));
}
