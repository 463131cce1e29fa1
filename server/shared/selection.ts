/**
 * The k smallest items under a total order, without sorting the rest: the
 * postmortem draft keeps 2,000 entries of a timeline that may hold 100,000,
 * and sorting them all held the server's thread for hundreds of ms.
 * Quickselect with a random pivot: expected O(n) comparisons whatever order
 * a client wrote the input in. `compare` must never return 0 for two
 * different items, so the chosen set is the same whichever pivots are drawn.
 */

/** Comparisons between two chances to pause. */
const SLICE = 4_096;

/** Yields (nothing) every few thousand comparisons, so a caller can give the event loop a turn; returns the k smallest. */
export function* smallestSteps<T>(items: readonly T[], k: number, compare: (a: T, b: T) => number): Generator<void, T[]> {
  if (k <= 0) return [];
  if (k >= items.length) return [...items];
  const a = [...items];
  const target = k - 1;
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[lo + Math.floor(Math.random() * (hi - lo + 1))];
    let i = lo;
    let j = hi;
    let sincePause = 0;
    while (i <= j) {
      const from = i - j;
      while (compare(a[i], pivot) < 0) i++;
      while (compare(a[j], pivot) > 0) j--;
      sincePause += i - j - from;
      if (sincePause >= SLICE) {
        sincePause = 0;
        yield;
      }
      if (i <= j) {
        const swap = a[i];
        a[i] = a[j];
        a[j] = swap;
        i++;
        j--;
      }
    }
    // Everything in [lo, j] is <= pivot <= everything in [i, hi]; between them sits the pivot itself.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a.slice(0, k);
}
