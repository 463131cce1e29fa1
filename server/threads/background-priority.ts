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
import { readlinkSync } from 'node:fs';
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
