/**
 * A small Markdown renderer that is safe by construction: every character of
 * the source is HTML-escaped unless it is part of a construct we recognise, so
 * raw HTML, `<script>` and event-handler attributes come out as visible text.
 * Links keep only http, https and mailto targets. Shared by the server (the
 * published HTML) and the browser (the preview), so no Node imports: the
 * preview is byte-for-byte what gets published.
 *
 * Supported: ATX headings, paragraphs (single newlines become <br>), **bold**,
 * *italic* / _italic_, `code`, fenced code blocks, - / 1. lists (one level),
 * > quotes, --- rules, [links](https://…), bare https:// links, \-escapes,
 * and GFM pipe tables (the postmortem export writes its timeline and action
 * items as tables).
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const SAFE_SCHEME = /^(https?:\/\/|mailto:)/i;
const MAX_QUOTE_DEPTH = 4;

/** The URL if it may become a link (absolute http/https or mailto, no spaces or control characters), else null. */
export function safeUrl(raw: string): string | null {
  const url = raw.trim();
  // eslint-disable-next-line no-control-regex
  if (!SAFE_SCHEME.test(url) || /[\s\u0000-\u001f\u007f]/.test(url)) return null;
  return url;
}

const link = (url: string, label: string) => `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow" target="_blank">${label}</a>`;

// --- inline -----------------------------------------------------------------

function findClosing(text: string, delimiter: string, from: number): number {
  for (let at = text.indexOf(delimiter, from); at !== -1; at = text.indexOf(delimiter, at + 1)) {
    const before = text[at - 1];
    if (before === '\\' || before === ' ' || before === '\n') continue;
    if (delimiter.length === 1 && text[at + 1] === delimiter) {
      at++;
      continue;
    }
    // Intraword underscores (snake_case) do not close emphasis.
    if (delimiter[0] === '_' && /\w/.test(text[at + delimiter.length] ?? '')) continue;
    return at;
  }
  return -1;
}

function renderInline(text: string, allowLinks = true): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && ASCII_PUNCTUATION.test(text[i + 1])) {
      out += escapeHtml(text[i + 1]);
      i += 2;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (text[i + run] === '`') run++;
      const fence = '`'.repeat(run);
      const end = text.indexOf(fence, i + run);
      if (end !== -1) {
        out += `<code>${escapeHtml(text.slice(i + run, end))}</code>`;
        i = end + run;
      } else {
        out += escapeHtml(fence);
        i += run;
      }
      continue;
    }
    if (c === '[' && allowLinks) {
      const close = text.indexOf('](', i + 1);
      const end = close === -1 ? -1 : text.indexOf(')', close + 2);
      if (close !== -1 && end !== -1 && !text.slice(i + 1, close).includes('[')) {
        const label = renderInline(text.slice(i + 1, close), false);
        const url = safeUrl(text.slice(close + 2, end));
        // An unsafe target keeps its label as plain text: the reader loses a link, never gains a script.
        out += url ? link(url, label) : label;
        i = end + 1;
        continue;
      }
    }
    if ((c === '*' || c === '_') && (c === '*' || !/\w/.test(text[i - 1] ?? ''))) {
      const delimiter = text[i + 1] === c ? c + c : c;
      const start = i + delimiter.length;
      if (text[start] !== undefined && !/\s/.test(text[start])) {
        const end = findClosing(text, delimiter, start + 1);
        if (end !== -1) {
          const tag = delimiter.length === 2 ? 'strong' : 'em';
          out += `<${tag}>${renderInline(text.slice(start, end), allowLinks)}</${tag}>`;
          i = end + delimiter.length;
          continue;
        }
      }
    }
    if (c === 'h' && allowLinks && !/\w/.test(text[i - 1] ?? '')) {
      const bare = /^https?:\/\/[^\s<>"'`]+/i.exec(text.slice(i, i + 2048));
      if (bare) {
        // Trailing punctuation usually ends the sentence, not the URL.
        const url = bare[0].replace(/[.,;:!?)]+$/, '');
        out += link(url, escapeHtml(url));
        i += url.length;
        continue;
      }
    }
    out += escapeHtml(c);
    i++;
  }
  return out;
}

// --- blocks -----------------------------------------------------------------

const FENCE = /^ {0,3}(```|~~~)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const ORDERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const TABLE_ROW = /^ {0,3}\|.*\|\s*$/;
const TABLE_DELIMITER = /^ {0,3}\|(\s*:?-+:?\s*\|)+\s*$/;

/** Cells of `| a | b \| c |`: pipes escaped with a backslash stay in the cell. */
function tableCells(line: string): string[] {
  const inner = line.trim().slice(1, -1);
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '\\' && inner[i + 1] === '|') {
      cell += '\\|';
      i++;
    } else if (inner[i] === '|') {
      cells.push(cell.trim());
      cell = '';
    } else cell += inner[i];
  }
  cells.push(cell.trim());
  return cells;
}

function renderTable(header: string, rows: string[]): string {
  const head = tableCells(header);
  const cell = (tag: string, text: string) => `<${tag}>${renderInline(text)}</${tag}>`;
  const body = rows.map((row) => {
    const cells = tableCells(row);
    // Short rows are padded and long ones cut, as GFM does, so columns always line up.
    return `<tr>${head.map((_, i) => cell('td', cells[i] ?? '')).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => cell('th', h)).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

const startsBlock = (line: string) => TABLE_ROW.test(line) || FENCE.test(line) || HEADING.test(line) || RULE.test(line) || BULLET.test(line) || ORDERED.test(line) || QUOTE.test(line);

function renderBlocks(lines: string[], depth: number): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence[1])) body.push(lines[i++]);
      i++;
      out.push(`<pre><code>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = heading[1].length;
      out.push(`<h${level}>${renderInline(heading[2])}</h${level}>`);
      i++;
      continue;
    }
    if (TABLE_ROW.test(line) && TABLE_DELIMITER.test(lines[i + 1] ?? '')) {
      const rows: string[] = [];
      i += 2;
      while (i < lines.length && TABLE_ROW.test(lines[i])) rows.push(lines[i++]);
      out.push(renderTable(line, rows));
      continue;
    }
    if (RULE.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (QUOTE.test(line) && depth < MAX_QUOTE_DEPTH) {
      const inner: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i])) inner.push(QUOTE.exec(lines[i++])![1]);
      out.push(`<blockquote>${renderBlocks(inner, depth + 1)}</blockquote>`);
      continue;
    }
    const ordered = ORDERED.exec(line);
    if (ordered || BULLET.test(line)) {
      const pattern = ordered ? ORDERED : BULLET;
      const items: string[] = [];
      while (i < lines.length) {
        const item = pattern.exec(lines[i]);
        if (item) items.push(item[item.length - 1]);
        else if (lines[i].trim() !== '' && /^\s/.test(lines[i]) && items.length > 0) items[items.length - 1] += `\n${lines[i].trim()}`;
        else break;
        i++;
      }
      const tag = ordered ? 'ol' : 'ul';
      const start = ordered && ordered[1] !== '1' ? ` start="${Number(ordered[1])}"` : '';
      out.push(`<${tag}${start}>${items.map((item) => `<li>${renderInline(item).replace(/\n/g, '<br>')}</li>`).join('')}</${tag}>`);
      continue;
    }
    const paragraph: string[] = [line];
    i++;
    while (i < lines.length && lines[i].trim() !== '' && !startsBlock(lines[i])) paragraph.push(lines[i++]);
    out.push(`<p>${renderInline(paragraph.map((l) => l.trim()).join('\n')).replace(/\n/g, '<br>')}</p>`);
  }
  return out.join('\n');
}

/** Markdown → HTML that is safe to insert into a page as is. */
export function renderMarkdown(markdown: string): string {
  return renderBlocks(markdown.replace(/\r\n?/g, '\n').split('\n'), 0);
}

/**
 * Makes text appear literally when placed into Markdown (an incident title in
 * a template): inline markers are backslash-escaped, line breaks flattened, and
 * a leading block marker (# > - + 1.) neutralised. Escapes only what our
 * renderer would interpret, so the Markdown stays readable where it is shown raw.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\\`*_[\]]/g, '\\$&')
    .replace(/^(\s*)([#>+-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}
