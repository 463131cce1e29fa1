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
 * Lowers V8's garbage-collection helpers to the same priority, returning how
 * many it lowered. They are one pool of threads for every heap in the
 * process, and the large heaps are the background threads' (a 50,000-entry
 * document being built): while one was, the four helpers used more of the
 * server's one core than the event loop and the building thread together
 * (in one connect of such a room: helpers 1,530 ms of CPU, document thread
 * 810, event loop 650), and at equal priority each took as large a share as
 * the event loop. The event loop's own collections still get their help
 * whenever it waits, which is most of the time.
 */
export function lowerGarbageCollectionHelpersPriority(niceness = BACKGROUND_NICENESS): number {
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
