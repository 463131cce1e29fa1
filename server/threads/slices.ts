/**
 * Long work on the server's one thread, done in slices with a turn of the
 * event loop between them, so requests and messages that arrived meanwhile
 * are answered. On a server whose one core is shared with a worker thread, a
 * slice can take twice its length on the clock: 15 ms slices put the health
 * probe at 100–120 ms while a member wrote at their budget, 5 ms slices at
 * 60–70 ms.
 */
const SLICE_MS = 5;

/** setImmediate goes through the event loop's I/O phase first; a resolved promise would not. */
const breather = () => new Promise((resolve) => setImmediate(resolve));

/** A pause to await between pieces of work: nothing until the current slice is used up, then the next turn. */
export function slicer(ms = SLICE_MS) {
  let started = performance.now();
  return async () => {
    if (performance.now() - started < ms) return;
    await breather();
    started = performance.now();
  };
}
