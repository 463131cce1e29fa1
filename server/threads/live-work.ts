/**
 * Live work goes before background slices. Live work is what a person is
 * waiting for right now: a member's edit on its way to being committed and
 * sent to the others. Background work is long work done in slices (loading
 * a large document, applying a large paste, drafting a postmortem).
 *
 * Both are turns of the one event loop, taken in the order they were queued.
 * An edit's way out takes several turns (the commit queue's turn, the
 * database's, the WAL flush coming back from the thread pool, the send at
 * the end of the turn), so with a large document loading it waited behind a
 * slice at every one of them: four slices of 10–45 ms each on a busy core.
 * A background slice that finds live work pending waits for it to finish,
 * so an edit waits for at most the slice that was running when it arrived.
 *
 * The wait is bounded, so background work is slowed by a busy server,
 * never stopped: a newcomer's load still finishes while others type. Live
 * work pending for over a second (a commit waiting on a database that does
 * not answer) is not waiting for this thread, and is not given way to.
 */
const STALE_MS = 1000;

/** When each piece of live work still pending started. */
const pending = new Set<{ startedAt: number }>();
const waiting = new Set<() => void>();

/** Marks live work as started; call the function it returns once it is done (calling it again does nothing). */
export function liveWorkStarted(): () => void {
  const work = { startedAt: performance.now() };
  pending.add(work);
  return () => {
    if (!pending.delete(work) || freshWorkPending()) return;
    for (const resume of [...waiting]) resume();
  };
}

/** How many pieces of live work are pending (tests look). */
export const liveWorkPending = (): number => pending.size;

function freshWorkPending(): boolean {
  const now = performance.now();
  for (const work of pending) if (now - work.startedAt < STALE_MS) return true;
  return false;
}

/** Resolves once no live work is pending (none that started less than a second ago), or after `maxMs`. */
export function afterLiveWork(maxMs: number): Promise<void> {
  if (!freshWorkPending()) return Promise.resolve();
  return new Promise((resolve) => {
    const resume = () => {
      clearTimeout(timer);
      waiting.delete(resume);
      resolve();
    };
    const timer = setTimeout(resume, maxMs);
    waiting.add(resume);
  });
}
