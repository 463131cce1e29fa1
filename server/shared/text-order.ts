/**
 * The order `a.localeCompare(b)` gives, without paying for collation when it
 * cannot change the answer. Sorting a 100,000-entry timeline spent most of
 * its time in the collator; timestamps and generated ids almost never need it.
 *
 * The shortcut compares code units, which agrees with the default (root)
 * collation only for strings whose every position holds the same class of
 * character in a fixed order: canonical ISO timestamps (`toISOString()`), and
 * ids of lowercase ASCII letters, digits and '-' (root collation puts '-'
 * before digits before letters, as code units do, and has no contractions or
 * case differences among them). Anything else a client wrote is collated.
 * Pure and free of Node imports: the browser reads timelines too.
 */
const collator = new Intl.Collator();

const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const PLAIN_ID = /^[0-9a-z-]*$/;

/** Whether `localeCompare` on two such values can be replaced by comparing code units. */
export const isCanonicalTime = (value: string) => CANONICAL_TIME.test(value);
export const isPlainId = (value: string) => PLAIN_ID.test(value);

/** `a.localeCompare(b)`'s sign; `plain` says both values passed one of the checks above. */
export function compareText(a: string, b: string, plain: boolean): number {
  if (a === b) return 0;
  if (plain) return a < b ? -1 : 1;
  return collator.compare(a, b);
}

