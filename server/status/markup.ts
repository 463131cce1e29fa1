/** Escaping and wording shared by the public HTML pages and the Atom feed. */
import type { IncidentState } from '../incidents/lifecycle.ts';

// Characters XML 1.0 forbids outright (C0 controls except tab, LF, CR; lone surrogates; U+FFFE/FFFF).
// One stray byte in a title would make the whole feed unreadable, so they are dropped.
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value for HTML and XML alike. */
export function escapeText(value: string): string {
  return value.replace(INVALID_XML_CHARS, '').replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Tagged template that escapes every value unless it is already `Markup`. */
export class Markup {
  readonly html: string;
  constructor(html: string) {
    this.html = html;
  }
  toString() {
    return this.html;
  }
}

type Value = string | number | Markup | readonly Markup[] | null | undefined | false;

export function markup(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0];
  values.forEach((value, i) => {
    if (value instanceof Markup) out += value.html;
    else if (Array.isArray(value)) out += value.map((m: Markup) => m.html).join('');
    else if (value !== null && value !== undefined && value !== false) out += escapeText(String(value));
    out += strings[i + 1];
  });
  return new Markup(out);
}

/** Trusted HTML: only for `body_html`, sanitised when the update was published. */
export const trusted = (html: string) => new Markup(html);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** "23 Nov 2026, 10:41 UTC": absolute, so the page is the same for every reader and caches well. */
export function formatUtc(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
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
