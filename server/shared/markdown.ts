/**
 * Markdown → HTML for everything people write (stakeholder updates,
 * postmortems, runbooks): CommonMark plus GFM tables and strikethrough, by
 * markdown-it, a maintained parser that runs in linear time on hostile input
 * (a hand-written renderer here rescanned for each unclosed emphasis and took
 * seconds on 60 kB). Shared by the server (the HTML stored at publication)
 * and the browser (the previews), so no Node imports: the preview is
 * byte-for-byte what gets published.
 *
 * Safe by configuration, not by post-processing:
 * - `html: false`: raw HTML in the source is shown as text, never parsed;
 * - links (and bare https:// URLs) only through the shared allow-list
 *   (safe-url.ts); a refused target leaves the source text as written;
 *   bare URLs are found by our own one-pass scan, not markdown-it's linkify
 *   (linkify-it took 25 s on 100 kB of "https://a.b/" repeated);
 * - no images: a picture from any host would tell that host who reads an
 *   internal update, and when;
 * - every link opens in a new tab without a referrer or an opener.
 * Single newlines become <br>: updates are written line by line
 * ("**Impact:** …" under "**Started:** …") and must read as typed.
 */
import MarkdownIt from 'markdown-it';
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs';
import type Token from 'markdown-it/lib/token.mjs';
import { safeUrl } from './safe-url.ts';

export { safeUrl };

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * The renderer with our options. `breaks: false` exists only so the
 * CommonMark spec examples can be checked against exactly this
 * configuration; everything the app shows uses `renderMarkdown`.
 */
export function createMarkdown(options: { breaks: boolean } = { breaks: true }): MarkdownIt {
  const md = new MarkdownIt('default', { html: false, linkify: false, breaks: options.breaks, typographer: false });
  md.disable(['image']);
  md.core.ruler.after('linkify', 'bare_links', bareLinks);
  md.validateLink = (url) => safeUrl(url) !== null;
  const renderToken = md.renderer.renderToken.bind(md.renderer);
  md.renderer.rules.link_open = (tokens, idx, opts) => {
    tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
    tokens[idx].attrSet('target', '_blank');
    return renderToken(tokens, idx, opts);
  };
  return md;
}

// One pass per text run: http(s):// then anything up to whitespace or a character that cannot end a URL in prose.
const BARE_URL = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Sentence punctuation after a URL belongs to the sentence; a ")" only when it has no "(" in the URL (Wikipedia's Foo_(bar)).
function trimUrl(url: string): string {
  let open = 0;
  let close = 0;
  for (const c of url) {
    if (c === '(') open++;
    else if (c === ')') close++;
  }
  let end = url.length;
  for (;;) {
    const last = url[end - 1];
    if (last !== undefined && /[.,;:!?'"*_~]/.test(last)) end--;
    else if (last === ')' && close > open) {
      end--;
      close--;
    } else return url.slice(0, end);
  }
}

/** Turns bare http(s) URLs in plain text into links (what "linkify" does, in linear time). */
function bareLinks(state: StateCore): void {
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children || !/https?:\/\//i.test(block.content)) continue;
    const out: Token[] = [];
    let inLink = 0;
    for (const token of block.children) {
      if (token.type === 'link_open') inLink++;
      if (token.type === 'link_close') inLink--;
      if (token.type !== 'text' || inLink > 0) {
        out.push(token);
        continue;
      }
      let last = 0;
      for (const match of token.content.matchAll(BARE_URL)) {
        const url = trimUrl(match[0]);
        const href = state.md.normalizeLink(url);
        if (!url || !state.md.validateLink(href)) continue;
        const at = match.index;
        if (at > last) out.push(textToken(state, token.content.slice(last, at), token.level));
        const open = new state.Token('link_open', 'a', 1);
        open.attrs = [['href', href]];
        open.markup = 'linkify';
        open.info = 'auto';
        out.push(open, textToken(state, url, token.level + 1), new state.Token('link_close', 'a', -1));
        last = at + url.length;
      }
      if (last === 0) out.push(token);
      else if (last < token.content.length) out.push(textToken(state, token.content.slice(last), token.level));
    }
    block.children = out;
  }
}

function textToken(state: StateCore, content: string, level: number): Token {
  const token = new state.Token('text', '', 0);
  token.content = content;
  token.level = level;
  return token;
}

const markdown = createMarkdown();

/** Markdown → HTML that is safe to insert into a page as is. */
export function renderMarkdown(source: string): string {
  return markdown.render(source);
}

/**
 * Makes text appear literally when placed into Markdown (an incident title in
 * a template): line breaks flattened, inline markers backslash-escaped, and a
 * leading block marker (# > - + 1.) neutralised. Escapes only what would be
 * read as syntax, since the communicator sees the raw draft too ("INC-42",
 * not "INC\-42").
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\\`*_[\]~]/g, '\\$&')
    // An entity would turn "&amp;" into "&"; an autolink "<https://…>" into a link.
    .replace(/&(?=#?[a-z0-9]+;)/gi, '\\&')
    .replace(/<(?=[a-z][a-z0-9+.-]*:)/gi, '\\<')
    .replace(/^(\s*)([#>+-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}
