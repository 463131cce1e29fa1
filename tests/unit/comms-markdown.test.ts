import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../../server/shared/markdown.ts';

const LINK = 'rel="noopener noreferrer nofollow" target="_blank"';

describe('renderMarkdown', () => {
  it.each([
    ['# Title', '<h1>Title</h1>\n'],
    ['### Status ###', '<h3>Status</h3>\n'],
    ['plain *em* **strong** _em_ __strong__ `code`', '<p>plain <em>em</em> <strong>strong</strong> <em>em</em> <strong>strong</strong> <code>code</code></p>\n'],
    ['line one\nline two', '<p>line one<br>\nline two</p>\n'],
    ['para one\n\npara two', '<p>para one</p>\n<p>para two</p>\n'],
    ['- a\n- b', '<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n'],
    ['- a\n  - nested\n- b', '<ul>\n<li>a\n<ul>\n<li>nested</li>\n</ul>\n</li>\n<li>b</li>\n</ul>\n'],
    ['3. c\n4. d', '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>\n'],
    ['> quoted', '<blockquote>\n<p>quoted</p>\n</blockquote>\n'],
    ['---', '<hr>\n'],
    ['```\nif (a < b) {}\n```', '<pre><code>if (a &lt; b) {}\n</code></pre>\n'],
    ['**bold *it***', '<p><strong>bold <em>it</em></strong></p>\n'],
    ['~~gone~~', '<p><s>gone</s></p>\n'],
    ['[docs](https://example.com/a?b=1&c=2)', `<p><a href="https://example.com/a?b=1&amp;c=2" ${LINK}>docs</a></p>\n`],
    ['[wiki](https://en.wikipedia.org/wiki/Foo_(bar))', `<p><a href="https://en.wikipedia.org/wiki/Foo_(bar)" ${LINK}>wiki</a></p>\n`],
    ['mail [us](mailto:ops@example.com)', `<p>mail <a href="mailto:ops@example.com" ${LINK}>us</a></p>\n`],
    ['see https://status.example.com.', `<p>see <a href="https://status.example.com" ${LINK}>https://status.example.com</a>.</p>\n`],
    ['(see https://en.wikipedia.org/wiki/Foo_(bar))', `<p>(see <a href="https://en.wikipedia.org/wiki/Foo_(bar)" ${LINK}>https://en.wikipedia.org/wiki/Foo_(bar)</a>)</p>\n`],
    ['example.com and ops@example.com stay text', '<p>example.com and ops@example.com stay text</p>\n'],
    ['snake_case_name stays', '<p>snake_case_name stays</p>\n'],
    ['2 * 3 * 4', '<p>2 * 3 * 4</p>\n'],
    ['\\*not em\\*', '<p>*not em*</p>\n'],
    [
      '| When | What |\n|---|:--|\n| 14:05 | **paged** |\n| 14:10 | a \\| b |',
      '<table>\n<thead>\n<tr>\n<th>When</th>\n<th style="text-align:left">What</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>14:05</td>\n<td style="text-align:left"><strong>paged</strong></td>\n</tr>\n<tr>\n<td>14:10</td>\n<td style="text-align:left">a | b</td>\n</tr>\n</tbody>\n</table>\n',
    ],
    ['| not a table |\nno delimiter row', '<p>| not a table |<br>\nno delimiter row</p>\n'],
  ])('%j', (markdown, html) => {
    expect(renderMarkdown(markdown)).toBe(html);
  });

  it.each([
    ['<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n'],
    ['<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>\n'],
    ['[click](javascript:alert(1))', '<p>[click](javascript:alert(1))</p>\n'],
    ['[click](JaVaScRiPt:alert`1`)', '<p>[click](JaVaScRiPt:alert<code>1</code>)</p>\n'],
    ['[click](data:text/html;base64,PHNjcmlwdD4=)', '<p>[click](data:text/html;base64,PHNjcmlwdD4=)</p>\n'],
    ['[click](&#106;avascript:alert(1))', '<p>[click](javascript:alert(1))</p>\n'],
    ['[click](java\tscript:alert(1))', '<p>[click](java\tscript:alert(1))</p>\n'],
    ['[rel](/admin/users)', '<p>[rel](/admin/users)</p>\n'],
    ['[proto](//evil.example)', '<p>[proto](//evil.example)</p>\n'],
    ['<javascript:alert(1)>', '<p>&lt;javascript:alert(1)&gt;</p>\n'],
    ['![pixel](https://tracker.example/p.gif)', `<p>!<a href="https://tracker.example/p.gif" ${LINK}>pixel</a></p>\n`],
    ['`<b>code</b>`', '<p><code>&lt;b&gt;code&lt;/b&gt;</code></p>\n'],
    ['**<svg onload=alert(1)>**', '<p><strong>&lt;svg onload=alert(1)&gt;</strong></p>\n'],
    ['| <script>x</script> |\n|-|\n| <img onerror=y> |', '<table>\n<thead>\n<tr>\n<th>&lt;script&gt;x&lt;/script&gt;</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>&lt;img onerror=y&gt;</td>\n</tr>\n</tbody>\n</table>\n'],
  ])('renders %j inert', (markdown, html) => {
    const out = renderMarkdown(markdown);
    expect(out).toBe(html);
    // Whatever the exact shape: no tag from the source survives, and no script URL becomes a link.
    expect(out).not.toMatch(/<(script|img|iframe|svg|div)/i);
    expect(out).not.toMatch(/<[a-z]+[^>]*\son\w+=/i);
    expect(out).not.toMatch(/href="(?!https?:|mailto:)/i);
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['*urgent* [db]_x_', '\\*urgent\\* \\[db\\]\\_x\\_'],
    ['# not a heading', '\\# not a heading'],
    ['- not a list', '\\- not a list'],
    ['42. not a list', '42\\. not a list'],
    ['two\nlines', 'two lines'],
    ['INC-42 at 50% & rising', 'INC-42 at 50% & rising'],
    ['<b>kept for the HTML escaper</b>', '<b>kept for the HTML escaper</b>'],
  ])('%j → %j', (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped);
  });

  it('makes any text render as itself', () => {
    for (const text of ['*a* _b_ `c` [d](e)', '# h', '1. x', '> q', 'a\\*b', '<script>x</script>', '~~s~~', 'AT&amp;T', '<mailto:ops@example.com>', '+ plus']) {
      const html = renderMarkdown(escapeMarkdown(text));
      expect(html).toBe(`<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>\n`);
    }
  });
});
