import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../server/collab/group-commit.ts';
import { afterLiveWork, liveWorkPending, liveWorkStarted } from '../../server/threads/live-work.ts';
import { backgroundTurn, slicer } from '../../server/threads/slices.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const busyFor = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** Background work in slices of about `sliceMs`, as a large document's load: counts the slices it ran. */
function background(sliceMs: number, options?: { giveWay: boolean }) {
  let slices = 0;
  let stopped = false;
  const done = (async () => {
    // Every piece fills a slice, so every pause is a turn of the event loop.
    const pause = slicer(0, options);
    while (!stopped) {
      busyFor(sliceMs);
      await pause();
      slices++;
    }
  })();
  return {
    slices: () => slices,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

/** A room's commit queue whose every write takes the turns an edit's way out takes: the database's, the WAL flush's, the send's. */
function commitQueue(turnsPerWrite: number) {
  return new GroupCommit<number>({
    write: async () => {
      for (let turn = 0; turn < turnsPerWrite; turn++) await nextTurn();
    },
    onError: (error) => {
      throw error;
    },
  });
}

afterEach(() => expect(liveWorkPending()).toBe(0));

describe('live work before background slices', () => {
  it('lets a background slice wait for live work, and no longer', async () => {
    expect(await Promise.race([afterLiveWork(1000).then(() => 'went on'), nextTurn().then(() => 'waited')])).toBe('went on');

    const done = liveWorkStarted();
    let resumed = false;
    const waiting = afterLiveWork(10_000).then(() => (resumed = true));
    for (let turn = 0; turn < 5; turn++) await nextTurn();
    expect(resumed).toBe(false);
    done();
    done(); // twice counts once
    await waiting;
    expect(liveWorkPending()).toBe(0);

    // Bounded: live work that never ends slows background work, it does not stop it.
    const endless = liveWorkStarted();
    const started = performance.now();
    await afterLiveWork(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    // And once it has been pending for a second, it is not waiting for this thread: slices stop giving way to it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await Promise.race([afterLiveWork(1000).then(() => 'went on'), nextTurn().then(() => 'waited')])).toBe('went on');
    // Fresh work ending beside stale work lets the waiting slices go on at once, not when their wait runs out.
    const fresh = liveWorkStarted();
    let freed = false;
    const freedWait = afterLiveWork(10_000).then(() => (freed = true));
    await nextTurn();
    expect(freed).toBe(false);
    fresh();
    for (let turn = 0; turn < 3 && !freed; turn++) await nextTurn();
    expect(freed).toBe(true);
    await freedWait;
    endless();
  });

  it('an edit being committed waits for at most the slice that was running, not one slice per turn of its way out', async () => {
    const queue = commitQueue(3);
    const load = background(4);
    try {
      for (let edit = 0; edit < 10; edit++) {
        await new Promise((resolve) => setTimeout(resolve, 7));
        const before = load.slices();
        queue.push(edit);
        expect(liveWorkPending()).toBe(1);
        await queue.idle();
        expect(load.slices() - before, `slices run while edit ${edit} was committed`).toBeLessThanOrEqual(1);
      }
    } finally {
      await load.stop();
    }
  });

  it('without giving way, the same edit waits behind a slice at every turn (what the rule prevents)', async () => {
    const queue = commitQueue(3);
    const load = background(4, { giveWay: false });
    let most = 0;
    try {
      for (let edit = 0; edit < 10; edit++) {
        await new Promise((resolve) => setTimeout(resolve, 7));
        const before = load.slices();
        queue.push(edit);
        await queue.idle();
        most = Math.max(most, load.slices() - before);
      }
    } finally {
      await load.stop();
    }
    expect(most).toBeGreaterThanOrEqual(3);
  });

  it('a room typed into without a pause stays live work, batch after batch', async () => {
    const queue = commitQueue(2);
    const typing = setInterval(() => queue.push(0), 3);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1300));
      queue.push(1);
      expect(await Promise.race([afterLiveWork(1000).then(() => 'went on'), nextTurn().then(() => 'waited')])).toBe('waited');
    } finally {
      clearInterval(typing);
      await queue.idle();
    }
  });

  it("a background loop's turn (the replay's reads) waits for live work too", async () => {
    const done = liveWorkStarted();
    let turned = false;
    const turn = backgroundTurn().then(() => (turned = true));
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(turned).toBe(false);
    done();
    await turn;
    expect(turned).toBe(true);
  });

  it('a failed write ends the live work it counted as', async () => {
    const failing = new GroupCommit<number>({
      write: async () => {
        await nextTurn();
        throw new Error('disk gone');
      },
      onError: () => {},
    });
    failing.push(1);
    failing.push(2);
    expect(liveWorkPending()).toBe(1);
    await failing.idle();
    expect(liveWorkPending()).toBe(0);
  });
});
