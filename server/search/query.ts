/**
 * What people type into the search box, as a structure the SQL side turns
 * into a tsquery. Pure, so the rules are unit-tested without a database:
 *
 *   payment timeout        every word must match (AND), stemmed: "timeouts" finds "timeout"
 *   "connection pool"      the words in this order, next to each other
 *   -drill                 leave out incidents mentioning the word
 *   time*                  words starting with "time"
 *
 * Punctuation inside words splits them, as PostgreSQL's parser does, so an
 * input can never smuggle tsquery operators through.
 */
import { frag, join, type Fragment } from '../db/sql.ts';

export interface ParsedQuery {
  /** Plain words, each required. */
  words: string[];
  /** Word prefixes ("time*" → "time"). */
  prefixes: string[];
  /** Quoted phrases, as typed between the quotes. */
  phrases: string[];
  /** Words after a minus sign: must not match. */
  excluded: string[];
}

/** More terms than anyone types; a pasted log line is cut here rather than becoming a huge query. */
export const MAX_TERMS = 16;

const WORD = /[\p{L}\p{N}]+/gu;
const wordsOf = (text: string) => text.toLowerCase().match(WORD) ?? [];

export function parseQuery(input: string): ParsedQuery {
  const parsed: ParsedQuery = { words: [], prefixes: [], phrases: [], excluded: [] };
  let count = 0;
  const room = () => count < MAX_TERMS;
  // A quote left open runs to the end of the input, as people expect while still typing.
  const tokens = input.matchAll(/(-?)"([^"]*)"?|(\S+)/g);
  for (const [, minus, phrase, bare] of tokens) {
    if (!room()) break;
    if (phrase !== undefined) {
      const words = wordsOf(phrase);
      if (words.length === 0) continue;
      if (minus) parsed.excluded.push(...words.slice(0, 1));
      else if (words.length === 1) parsed.words.push(words[0]);
      else parsed.phrases.push(words.join(' '));
      count++;
      continue;
    }
    const negated = bare.startsWith('-') && bare.length > 1;
    const prefix = /[\p{L}\p{N}]\*$/u.test(bare);
    const words = wordsOf(bare);
    if (words.length === 0) continue;
    if (negated) {
      for (const word of words) if (room()) (parsed.excluded.push(word), count++);
    } else if (prefix) {
      // "http-time*": the leading parts are words, only the last one is a prefix.
      for (const word of words.slice(0, -1)) if (room()) (parsed.words.push(word), count++);
      if (room()) (parsed.prefixes.push(words.at(-1)!), count++);
    } else {
      for (const word of words) if (room()) (parsed.words.push(word), count++);
    }
  }
  return parsed;
}

/** True when the query asks for something (exclusions alone match nothing useful). */
export const hasTerms = (q: ParsedQuery) => q.words.length + q.prefixes.length + q.phrases.length > 0;

/**
 * The tsquery for a parsed query, or null when nothing searchable is left.
 * Each part is built by PostgreSQL's own functions from plain text, so
 * stemming and stop words are handled the same way as in the index.
 */
export function toTsquery(q: ParsedQuery): Fragment | null {
  if (!hasTerms(q)) return null;
  const parts: Fragment[] = [];
  if (q.words.length) parts.push(frag`plainto_tsquery('english'::regconfig, ${q.words.join(' ')})`);
  // Words only (checked by the parser), so the ":*" operator is the only syntax in the string.
  for (const prefix of q.prefixes) parts.push(frag`to_tsquery('english'::regconfig, ${`${prefix}:*`})`);
  for (const phrase of q.phrases) parts.push(frag`phraseto_tsquery('english'::regconfig, ${phrase})`);
  for (const word of q.excluded) parts.push(frag`!!plainto_tsquery('english'::regconfig, ${word})`);
  return frag`(${join(parts, ' && ')})`;
}

/**
 * "Anything like this": any of the words of a text (OR), for similar
 * incidents. Null when the text holds no words.
 */
export function anyWordQuery(text: string, options: { limit?: number; weights?: string } = {}): Fragment | null {
  const words = [...new Set(wordsOf(text))].filter((w) => w.length > 1).slice(0, options.limit ?? 24);
  if (words.length === 0) return null;
  // Letters A-D only, so the ":AB" label cannot carry anything else in.
  const label = options.weights && /^[A-D]+$/.test(options.weights) ? `:${options.weights}` : '';
  // to_tsquery drops stop words itself; every operand is a bare word, so the string is well-formed.
  return frag`to_tsquery('english'::regconfig, ${words.map((w) => w + label).join(' | ')})`;
}
