/**
 * Markdown → Slack mrkdwn, for the common subset updates use: emphasis,
 * strike-through, links, headings, bullet lists and code. Slack treats &, <
 * and > as control characters, so text is escaped before any link syntax is
 * produced; code spans and fenced blocks pass through untouched apart from that.
 * https://api.slack.com/reference/surfaces/formatting
 */
/** Slack's three control characters as entities: text shows as written and cannot open a link or a mention. */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Placeholder for bold markers while single-asterisk italics are rewritten.
const BOLD = '\u0001';

// Markdown backslash escapes (placeholder values arrive as `\*down\*`): kept aside while
// converting, then restored as the plain character, since mrkdwn has no escape syntax.
const ESCAPED = /\\([!-/:-@[-`{-~])/g;
const LITERAL = /\u0002(\d+)\u0003/g;

function inline(text: string): string {
  const literals: string[] = [];
  const shielded = text.replace(ESCAPED, (_, char: string) => `\u0002${literals.push(char) - 1}\u0003`);
  return convert(shielded).replace(LITERAL, (_, i: string) => escapeMrkdwn(literals[Number(i)]));
}

function convert(text: string): string {
  return escapeMrkdwn(text)
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label: string, url: string) =>
      /^(https?:|mailto:)/i.test(url) ? `<${url}|${label.replace(/\|/g, '¦')}>` : label,
    )
    .replace(/\*\*(.+?)\*\*|__(.+?)__/g, (_, a, b) => `${BOLD}${a ?? b}${BOLD}`)
    .replace(/(^|[^\w*])\*(?!\s)([^*]+?)\*(?!\w)/g, '$1_$2_')
    .replace(/~~(.+?)~~/g, '~$1~')
    .replaceAll(BOLD, '*');
}

function line(text: string): string {
  const heading = /^#{1,6}\s+(.*)$/.exec(text);
  if (heading) return `*${inline(heading[1]).replace(/\*/g, '')}*`;
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(text);
  if (bullet) return `${bullet[1]}• ${inlineWithCode(bullet[2])}`;
  return inlineWithCode(text);
}

/** Leaves `code spans` alone (escaped only) and converts the text between them. */
function inlineWithCode(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? escapeMrkdwn(part) : inline(part)))
    .join('');
}

export function markdownToMrkdwn(markdown: string): string {
  let inFence = false;
  return markdown
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((text) => {
      if (/^\s*```/.test(text)) {
        inFence = !inFence;
        return '```';
      }
      return inFence ? escapeMrkdwn(text) : line(text);
    })
    .join('\n');
}
