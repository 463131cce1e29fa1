/** Escaping and wording shared by the public HTML pages and the Atom feed. */
import type { IncidentState } from '../incidents/lifecycle.ts';
import { escapeHtml } from '../shared/markdown.ts';

// Characters XML 1.0 forbids outright (C0 controls except tab, LF, CR; lone surrogates; U+FFFE/FFFF).
// One stray byte in a title would make the whole feed unreadable, so they are dropped.
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `value` without the characters XML forbids. */
export const xmlSafe = (value: string) => value.replace(INVALID_XML_CHARS, '');

/** Text or attribute value for HTML and XML alike. */
export function escapeText(value: string): string {
  return escapeHtml(xmlSafe(value));
}

// "Closed" is internal bookkeeping (the postmortem is done); the public only needs "Resolved".
const PUBLIC_STATES: Record<IncidentState, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  closed: 'Resolved',
};

export const publicStateLabel = (state: IncidentState) => PUBLIC_STATES[state] ?? 'Update';
export const isOver = (state: IncidentState) => state === 'resolved' || state === 'closed';
