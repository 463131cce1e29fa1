import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../../server/shared/markdown.ts';

describe('renderMarkdown', () => {
  it.each([
    ['# Title', '<h1>Title</h1>'],
    ['### Status ###', '<h3>Status</h3>'],
    ['plain *em* **strong** _em_ __strong__ `code`', '<p>plain <em>em</em> <strong>strong</strong> <em>em</em> <strong>strong</strong> <code>code</code></p>'],
    ['line one\nline two', '<p>line one<br>line two</p>'],
    ['para one\n\npara two', '<p>para one</p>\n<p>para two</p>'],
    ['- a\n- b', '<ul><li>a</li><li>b</li></ul>'],
    ['3. c\n4. d', '<ol start="3"><li>c</li><li>d</li></ol>'],
    ['> quoted', '<blockquote><p>quoted</p></blockquote>'],
    ['---', '<hr>'],
    ['```\nif (a < b) {}\n```', '<pre><code>if (a &lt; b) {}</code></pre>'],
    ['[docs](https://example.com/a?b=1&c=2)', '<p><a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">docs</a></p>'],
    ['mail [us](mailto:ops@example.com)', '<p>mail <a href="mailto:ops@example.com" rel="noopener noreferrer nofollow" target="_blank">us</a></p>'],
    ['see https://status.example.com.', '<p>see <a href="https://status.example.com" rel="noopener noreferrer nofollow" target="_blank">https://status.example.com</a>.</p>'],
    ['snake_case_name stays', '<p>snake_case_name stays</p>'],
    ['2 * 3 * 4', '<p>2 * 3 * 4</p>'],
    ['\\*not em\\*', '<p>*not em*</p>'],
    [
      '| When | What |\n|---|:--|\n| 14:05 | **paged** |\n| 14:10 | a \\| b |',
      '<table><thead><tr><th>When</th><th>What</th></tr></thead><tbody><tr><td>14:05</td><td><strong>paged</strong></td></tr><tr><td>14:10</td><td>a | b</td></tr></tbody></table>',
    ],
    ['| short |\n|---|\n| a | extra |\n|', '<table><thead><tr><th>short</th></tr></thead><tbody><tr><td>a</td></tr></tbody></table>\n<p>|</p>'],
    ['| not a table |\nno delimiter row', '<p>| not a table |<br>no delimiter row</p>'],
    ['| <script>x</script> |\n|-|\n| <img onerror=y> |', '<table><thead><tr><th>&lt;script&gt;x&lt;/script&gt;</th></tr></thead><tbody><tr><td>&lt;img onerror=y&gt;</td></tr></tbody></table>'],
  ])('%j', (markdown, html) => {
    expect(renderMarkdown(markdown)).toBe(html);
  });

  it.each([
    ['<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    ['<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>'],
    ['<div>\n<iframe src="https://evil"></iframe>\n</div>', '<p>&lt;div&gt;<br>&lt;iframe src=&quot;<a href="https://evil" rel="noopener noreferrer nofollow" target="_blank">https://evil</a>&quot;&gt;&lt;/iframe&gt;<br>&lt;/div&gt;</p>'],
    ['[click](javascript:alert(1))', '<p>click)</p>'],
    ['[click](JaVaScRiPt:alert`1`)', '<p>click</p>'],
    ['[click](data:text/html;base64,PHNjcmlwdD4=)', '<p>click</p>'],
    ['[click](&#106;avascript:alert(1))', '<p>click)</p>'],
    ['[x](https://a.example/" onmouseover="alert(1))', '<p>x)</p>'],
    ['`<b>code</b>`', '<p><code>&lt;b&gt;code&lt;/b&gt;</code></p>'],
    ['**<svg onload=alert(1)>**', '<p><strong>&lt;svg onload=alert(1)&gt;</strong></p>'],
  ])('renders %j inert', (markdown, html) => {
    const out = renderMarkdown(markdown);
    expect(out).toBe(html);
    // Whatever the exact shape: no tag from the source survives, and no script URL becomes a link.
    expect(out).not.toMatch(/<(script|img|iframe|svg|div)/i);
    expect(out).not.toMatch(/<[a-z]+[^>]*\son\w+=/i);
    expect(out).not.toMatch(/href="(?!https?:|mailto:)/i);
  });

  it('handles a large pathological input quickly', () => {
    const started = performance.now();
    renderMarkdown('**'.repeat(10_000) + '_a'.repeat(5_000) + '[x]('.repeat(2_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['*urgent* [db]_x_', '\\*urgent\\* \\[db\\]\\_x\\_'],
    ['# not a heading', '\\# not a heading'],
    ['- not a list', '\\- not a list'],
    ['42. not a list', '42\\. not a list'],
    ['two\nlines', 'two lines'],
    ['<b>kept for the HTML escaper</b>', '<b>kept for the HTML escaper</b>'],
  ])('%j → %j', (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped);
  });

  it('makes any text render as itself', () => {
    for (const text of ['*a* _b_ `c` [d](e)', '# h', '1. x', '> q', 'a\\*b', '<script>x</script>']) {
      const html = renderMarkdown(escapeMarkdown(text));
      expect(html).toBe(`<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`);
    }
  });
});
