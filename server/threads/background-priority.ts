/**
 * Worker threads doing long background Yjs work (replaying a large history,
 * building a large document) run at a lower CPU priority than the event
 * loop. The server is often given one core; at equal priority the kernel
 * shares it evenly, so every keystroke's few milliseconds of work on the
 * event loop took two or three times as long while such a worker ran.
 * Lowered, the worker still gets every cycle the event loop leaves idle.
 *
 * Linux only: a thread's own id (from /proc/thread-self) names it to
 * setpriority. Elsewhere, or if refused, the thread keeps normal priority.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The niceness background threads run at (0 is normal, 19 the lowest). */
export const BACKGROUND_NICENESS = 10;

/** Lowers the calling thread's CPU priority; returns whether it could. */
export function lowerThisThreadsPriority(niceness = BACKGROUND_NICENESS): boolean {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(threadId) || threadId <= 0) return false;
    setPriority(threadId, niceness);
    return true;
  } catch {
    return false;
  }
}

/**
 * The niceness of V8's garbage-collection helpers: between the event loop's
 * and the background threads'. They are one pool of threads for every heap
 * in the process, and the large heaps are the background threads' (a
 * 50,000-entry document being built): while one was, the four helpers used
 * more of the server's one core than the event loop and the building thread
 * together (in one connect of such a room: helpers 1,530 ms of CPU, document
 * thread 810, event loop 650), each taking as large a share as the event
 * loop. But they also mark the event loop's own heap: lowered to 10, its
 * collections were left to do that on the event loop (294 ms of marking
 * steps in one collection while a member wrote at their budget, pauses of
 * 140–170 ms). At 5, four of them busy leave the event loop about 40% of
 * the core instead of 20%, and still get most of it whenever it waits for
 * them. Measured on the abuse benchmark's big-document rows in the README.
 */
export const GC_HELPER_NICENESS = 5;

/** Lowers V8's garbage-collection helpers (above); returns how many it lowered. */
export function lowerGarbageCollectionHelpersPriority(niceness = GC_HELPER_NICENESS): number {
  let lowered = 0;
  try {
    for (const threadId of readdirSync('/proc/self/task')) {
      if (readFileSync(`/proc/self/task/${threadId}/comm`, 'utf8').trim() !== 'V8Worker') continue;
      setPriority(Number(threadId), niceness);
      lowered++;
    }
  } catch {
    // Not Linux, or refused: the helpers keep normal priority.
  }
  return lowered;
}
