/**
 * The front matter of a scenario: a `---` fenced block of `key: value` lines
 * at the top of the Markdown. Deliberately a small subset of YAML (scalars,
 * and lists written `[a, b]`), parsed here rather than by a YAML library so a
 * facilitator's typo comes back as "line 4: …" instead of a surprising type
 * (YAML reads `no` as false and `1:30` as a number). Pure.
 */

export interface FrontMatterProblem {
  line: number;
  message: string;
}

export interface FrontMatter {
  /** key → raw value (lists as arrays), with the line each key was on. */
  fields: Map<string, { value: string | string[]; line: number }>;
  /** The Markdown after the closing fence. */
  body: string;
  /** Line number (1-based) of the body's first line in the whole document. */
  bodyLine: number;
}

const FENCE = /^---\s*$/;
const FIELD = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/;

/** Splits "[a, b, c]" (or "a, b") into trimmed, non-empty items. */
function listItems(raw: string): string[] {
  const inner = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  return inner
    .split(',')
    .map((item) => unquote(item.trim()))
    .filter((item) => item.length > 0);
}

const unquote = (value: string) => (/^(["']).*\1$/.test(value) && value.length >= 2 ? value.slice(1, -1) : value);

export function parseFrontMatter(text: string): { ok: true; value: FrontMatter } | { ok: false; problems: FrontMatterProblem[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (!FENCE.test(lines[0] ?? '')) {
    return { ok: false, problems: [{ line: 1, message: 'the scenario must start with front matter: a line “---”, then fields like “title: …”, then “---”' }] };
  }
  const close = lines.findIndex((line, i) => i > 0 && FENCE.test(line));
  if (close === -1) return { ok: false, problems: [{ line: 1, message: 'the front matter is not closed: add a line “---” after its last field' }] };
  const fields: FrontMatter['fields'] = new Map();
  const problems: FrontMatterProblem[] = [];
  for (let i = 1; i < close; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = FIELD.exec(line);
    if (!match) {
      problems.push({ line: i + 1, message: `expected “name: value”, found “${line.slice(0, 60)}”` });
      continue;
    }
    const key = match[1].toLowerCase();
    if (fields.has(key)) {
      problems.push({ line: i + 1, message: `${key}: given twice (first on line ${fields.get(key)!.line})` });
      continue;
    }
    const raw = match[2].trim();
    fields.set(key, { value: raw.startsWith('[') ? listItems(raw) : unquote(raw), line: i + 1 });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { fields, body: lines.slice(close + 1).join('\n'), bodyLine: close + 2 } };
}

/** A field as a list whether it was written `[a, b]` or `a, b`. */
export function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : listItems(value);
}
