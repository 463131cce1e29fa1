/**
 * Public slugs: "checkout-errors-7k2p". Readable words from the public title
 * (never the internal one) plus a random suffix, so two incidents with the
 * same public title still get different addresses and neighbours are not
 * found by counting.
 */
import { generateSecureRandomString } from '../auth/tokens.ts';

const MAX_WORDS_LENGTH = 40;
export const SUFFIX_LENGTH = 4;

/** "Checkout: Errors & Timeouts!" → "checkout-errors-timeouts"; accents folded, at most 40 characters, cut between words. */
export function slugWords(title: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (words.length <= MAX_WORDS_LENGTH) return words || 'incident';
  const cut = words.slice(0, MAX_WORDS_LENGTH + 1);
  const lastHyphen = cut.lastIndexOf('-');
  return (lastHyphen > 0 ? cut.slice(0, lastHyphen) : words.slice(0, MAX_WORDS_LENGTH)).replace(/-+$/, '');
}

/** A fresh slug for `title`; the suffix uses the session-token alphabet (no 0/o, 1/l confusion). */
export function newPublicSlug(title: string, suffix = generateSecureRandomString(SUFFIX_LENGTH)): string {
  return `${slugWords(title)}-${suffix}`;
}

/** What a slug in a URL may look like; anything else is a 404 without asking the database. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const isPlausibleSlug = (value: string) => value.length <= 80 && SLUG_PATTERN.test(value);
