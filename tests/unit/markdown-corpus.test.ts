/**
 * The renderer against the CommonMark spec (the examples for what it enables)
 * and against hostile input that must render in linear time.
 *
 * Linearity is asserted by counting work, not by timing it: wall-clock ratios
 * between two sizes swing with garbage collection and caches (a linear input
 * measured 8× to 30× slower at 8× the size on this machine). Instead the test
 * counts the characters the renderer touches through the string and regex
 * primitives every parser goes through (charCodeAt reads, the distance
 * indexOf and RegExp#exec scan) while rendering the same
 * pattern at 12.5 kB and at 100 kB. A linear renderer does ~8× the work at
 * 8× the size, a quadratic one ~64×; the bound is 12×. The count is the same
 * on every run, so the test cannot flake. The hand-written renderer this
 * replaced fails it on unclosed emphasis and nested brackets (64×; 13 s and
 * 20 s at 100 kB).
 */
// @ts-expect-error the package ships no types; its shape is SpecExample below
import spec from 'commonmark-spec';
import { describe, expect, it } from 'vitest';
import { createMarkdown, renderMarkdown } from '../../server/shared/markdown.ts';

interface SpecExample {
  markdown: string;
  html: string;
  section: string;
  number: number;
}

// Raw HTML is shown as text (html: false) and images are links; those sections test what is switched off.
const DISABLED_SECTIONS = new Set(['HTML blocks', 'Raw HTML', 'Images']);
// Where this renderer deliberately differs from the spec, example by example.
const KNOWN_DIFFERENCES: Record<number, string> = {
  239: 'markdown-it writes an empty block quote on one line',
  240: 'markdown-it writes an empty block quote on one line',
  538: 'bare https:// URLs become links (as on GitHub)',
  602: 'bare https:// URLs become links (as on GitHub)',
  608: 'bare https:// URLs become links (as on GitHub)',
  611: 'bare https:// URLs become links (as on GitHub)',
};
const SAFE = /^(https?:\/\/[^/]|mailto:)/i;

/** Examples whose expected HTML holds a link our allow-list refuses (relative, other schemes), or raw HTML in the source. */
function usesDisabledFeature(example: SpecExample): boolean {
  if (DISABLED_SECTIONS.has(example.section)) return true;
  const targets = [...example.html.matchAll(/(?:href|src)="([^"]*)"/g)].map((m) => m[1]);
  if (targets.some((url) => !SAFE.test(url))) return true;
  // A reference definition with a refused target is not a definition for us: its line stays as text.
  if (/^ {0,3}\[[^\]]*\]:\s*<?(?!https?:\/\/|mailto:)/m.test(example.markdown)) return true;
  return /<[A-Za-z/!?]/.test(example.markdown.replace(/<(https?|mailto):[^>]*>/gi, ''));
}

const examples = (spec as unknown as { tests: SpecExample[] }).tests.map((t) => ({
  ...t,
  // The spec shows tabs as →.
  markdown: t.markdown.replace(/→/g, '\t'),
  html: t.html.replace(/→/g, '\t'),
}));
const enabled = examples.filter((e) => !usesDisabledFeature(e) && !(e.number in KNOWN_DIFFERENCES));

describe('CommonMark spec examples', () => {
  // Identical to renderMarkdown except soft line breaks, which the app shows as <br> (updates are written line by line).
  const markdown = createMarkdown({ breaks: false });
  const asSpecWrites = (html: string) => html.replace(/<(hr|br)>/g, '<$1 />').replace(/ rel="noopener noreferrer nofollow" target="_blank"/g, '');

  it('covers most of the spec', () => {
    expect(enabled.length).toBeGreaterThan(400);
  });

  it.each(enabled.map((e) => [e.number, e.section, e] as const))('example %i (%s)', (_number, _section, example) => {
    expect(asSpecWrites(markdown.render(example.markdown))).toBe(example.html);
  });
});

const fill = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/** 100 kB of the worst we know for each construct (and 12.5 kB of the same, to compare). */
const PATHOLOGICAL: Record<string, (size: number) => string> = {
  'unclosed emphasis openers': (n) => fill('*a ', n),
  'alternating emphasis': (n) => fill('*a **b ', n),
  'nested emphasis': (n) => fill('*', n / 2) + 'a' + fill('*', n / 2),
  'underscores': (n) => fill('_a', n),
  'mixed delimiters': (n) => fill('*_**__', n),
  'open brackets': (n) => fill('[', n),
  'unclosed links': (n) => fill('[a](', n),
  'nested brackets': (n) => fill('[', n / 2) + fill(']', n / 2),
  'link-ish runs': (n) => fill('](', n),
  'image-ish runs': (n) => fill('![a', n),
  'reference definitions': (n) => fill('[a]: <b\n', n),
  'backticks': (n) => fill('`', n),
  'unmatched code spans': (n) => fill('`a``', n),
  'growing backtick runs': (n) => {
    let text = '';
    for (let i = 1; text.length < n; i++) text += '`'.repeat(i) + 'a';
    return text.slice(0, n);
  },
  'fences': (n) => fill('```\n', n),
  'block quotes': (n) => fill('>', n),
  'nested lists': (n) => {
    let text = '';
    for (let i = 0; text.length < n; i++) text += `${' '.repeat(i % 200)}- a\n`;
    return text.slice(0, n);
  },
  'autolink openers': (n) => fill('<https://a', n),
  'one long URL': (n) => fill('https://a.b/', n),
  'URL closing parentheses': (n) => `https://a${fill(')', n)}`,
  'entities': (n) => fill('&#', n),
  'wide table': (n) => `${fill('|a', n / 3)}\n${fill('|-', n / 3)}\n${fill('|a', n / 3)}\n`,
  'long table': (n) => `|a|b|\n|-|-|\n${fill('|a|b|\n', n)}`,
  'escapes': (n) => fill('\\*', n),
};

/**
 * Characters the renderer touches through string and regex primitives: one
 * per charCodeAt-style read or slice, the distance scanned by indexOf and
 * RegExp#exec (a scan inside native code is work too: the old renderer's
 * quadratic bracket matching was all indexOf).
 */
function countWork(run: () => void): number {
  const strings = String.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  let work = 0;
  const wrap = (name: string, cost: (text: string, args: unknown[], result: unknown) => number) => {
    const original = strings[name];
    strings[name] = function (this: string, ...args: unknown[]) {
      const result = original.apply(this, args);
      work += Math.max(1, cost(String(this), args, result));
      return result;
    };
    return () => (strings[name] = original);
  };
  const one = () => 1;
  const scanned = (text: string, args: unknown[], result: unknown) => {
    const from = Math.max(0, Number(args[1] ?? 0) || 0);
    return (result as number) === -1 ? text.length - from : (result as number) - from + 1;
  };
  const scannedBack = (text: string, args: unknown[], result: unknown) => {
    const from = args[1] === undefined ? text.length : Number(args[1]);
    return (result as number) === -1 ? from : from - (result as number) + 1;
  };
  const restore = [
    wrap('charCodeAt', one),
    wrap('codePointAt', one),
    wrap('charAt', one),
    wrap('startsWith', one),
    wrap('indexOf', scanned),
    wrap('lastIndexOf', scannedBack),
    // V8 slices without copying (a view into the original string), so a slice costs one step.
    wrap('slice', one),
    wrap('substring', one),
  ];
  const exec = RegExp.prototype.exec;
  RegExp.prototype.exec = function (this: RegExp, text: string) {
    const from = this.global || this.sticky ? this.lastIndex : 0;
    const anchored = this.source.startsWith('^') && !this.multiline;
    const match = exec.call(this, text);
    // An anchored pattern looks only at the start; any other scans until it matches or the text ends.
    const end = match ? match.index + match[0].length : anchored ? from + 1 : String(text).length;
    work += Math.max(1, end - from);
    return match;
  };
  try {
    run();
  } finally {
    for (const undo of restore) undo();
    RegExp.prototype.exec = exec;
  }
  return work;
}

describe('pathological input', () => {
  it.each(Object.keys(PATHOLOGICAL))('renders %s in linear time', (name) => {
    const make = PATHOLOGICAL[name];
    const small = countWork(() => renderMarkdown(make(12_500)));
    const large = countWork(() => renderMarkdown(make(100_000)));
    expect(small).toBeGreaterThan(1000);
    expect(large / small).toBeLessThan(12);
  });
});
