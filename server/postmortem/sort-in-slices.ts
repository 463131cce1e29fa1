/**
 * A stable sort that gives the event loop a turn between slices of work.
 * Sorting a 100,000-entry war-room timeline in one call held the server's
 * thread for 100 ms and more; a merge sort can stop after any run or merge
 * step. Stable, so it orders exactly as `Array.prototype.sort` with the same
 * comparator (both are stable: equal items keep their input order).
 */
const RUN = 2_048;
const MERGE_STEP = 8_192;

export async function sortInSlices<T>(items: readonly T[], compare: (a: T, b: T) => number, pause: () => Promise<void>): Promise<T[]> {
  let from = [...items];
  for (let start = 0; start < from.length; start += RUN) {
    const run = from.slice(start, start + RUN).sort(compare);
    for (let i = 0; i < run.length; i++) from[start + i] = run[i];
    await pause();
  }
  let to: T[] = new Array(from.length);
  for (let width = RUN; width < from.length; width *= 2) {
    let sinceBreak = 0;
    for (let left = 0; left < from.length; left += 2 * width) {
      const middle = Math.min(left + width, from.length);
      const end = Math.min(left + 2 * width, from.length);
      let i = left;
      let j = middle;
      for (let k = left; k < end; k++) {
        // `<= 0` takes from the left run on ties: that is what keeps the sort stable.
        if (i < middle && (j >= end || compare(from[i], from[j]) <= 0)) to[k] = from[i++];
        else to[k] = from[j++];
        if (++sinceBreak >= MERGE_STEP) {
          sinceBreak = 0;
          await pause();
        }
      }
    }
    [from, to] = [to, from];
  }
  return from;
}
