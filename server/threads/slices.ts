/**
 * Long work on the server's one thread, done in slices with a turn of the
 * event loop between them, so requests and messages that arrived meanwhile
 * are answered. On a server whose one core is shared with a worker thread, a
 * slice can take twice its length on the clock: 15 ms slices put the health
 * probe at 100–120 ms while a member wrote at their budget, 5 ms slices at
 * 60–70 ms.
 */
import { afterLiveWork } from './live-work.ts';

const SLICE_MS = 5;

/**
 * How long a slice waits for live work to finish before going on anyway
 * (see live-work.ts): an edit's commit, WAL flush and send take a few
 * milliseconds, and background work keeps at least a quarter of the thread.
 */
const GIVE_WAY_MS = 15;

/** setImmediate goes through the event loop's I/O phase first; a resolved promise would not. */
const breather = () => new Promise((resolve) => setImmediate(resolve));

/** A turn of the event loop for background work between its pieces: after what arrived meanwhile, and after live work pending then. */
export async function backgroundTurn(): Promise<void> {
  await breather();
  await afterLiveWork(GIVE_WAY_MS);
}

/**
 * A pause to await between pieces of work: nothing until the current slice
 * is used up, then the next turn, after any live work pending then. Work
 * that holds what live work needs (a database transaction) must not give
 * way: `giveWay: false`.
 */
export function slicer(ms = SLICE_MS, { giveWay = true } = {}) {
  let started = performance.now();
  return async () => {
    if (performance.now() - started < ms) return;
    await (giveWay ? backgroundTurn() : breather());
    started = performance.now();
  };
}
