/**
 * The one allow-list for user-supplied URLs that become links (Markdown,
 * evidence on hypothesis cards, alert sources): absolute http, https or
 * mailto, nothing else. `javascript:`, `data:`, `vbscript:`, relative and
 * protocol-relative URLs are refused, as is anything with whitespace or
 * control characters (browsers strip those, which is how `java\tscript:`
 * slips past naive checks). Shared with the browser: no Node imports.
 */
const SAFE_SCHEME = /^(https?:\/\/[^/]|mailto:)/i;

/** The URL if it may become a link, else null. */
export function safeUrl(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const url = raw.trim();
  // eslint-disable-next-line no-control-regex
  if (url.length > 2048 || !SAFE_SCHEME.test(url) || /[\s\u0000-\u001f\u007f]/.test(url)) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' || parsed.protocol === 'mailto:' ? url : null;
  } catch {
    return null;
  }
}
