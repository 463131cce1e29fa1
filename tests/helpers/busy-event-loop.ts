/**
 * Keeps the event loop busy: every turn does `msPerTurn` of other work, as
 * when a large change is applied in slices. Counts the turns, so a test can
 * say how many turns something waited for.
 */
export function busyEventLoop(msPerTurn: number): { turns: () => number; stop: () => void } {
  let turns = 0;
  let stopped = false;
  const busy = () => {
    if (stopped) return;
    turns++;
    const until = performance.now() + msPerTurn;
    while (performance.now() < until);
    setImmediate(busy);
  };
  setImmediate(busy);
  return { turns: () => turns, stop: () => (stopped = true) };
}
