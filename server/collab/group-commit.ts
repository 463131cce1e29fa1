/**
 * Serialises a room's writes and batches them: items pushed while a commit is
 * in flight go out together in the next one. The first item of an idle queue
 * waits `delayMs` (0: until the current event-loop turn has read every socket
 * that had data), so concurrent senders share a transaction and durability
 * does not cost a round trip per keystroke.
 *
 * Exclusive tasks (compaction) run between batches, never beside one.
 *
 * From an item's push until it is written, the queue counts as live work
 * (see live-work.ts): someone is waiting for that change to reach the
 * others, so background slices give way to it.
 */
import { liveWorkStarted } from '../threads/live-work.ts';

export interface GroupCommitOptions<T> {
  write(batch: T[]): Promise<void>;
  /** A failed write stops the queue: items after it are dropped and handed here. */
  onError(error: unknown, dropped: T[]): void;
  delayMs?: number;
  maxBatch?: number;
}

export class GroupCommit<T> {
  readonly #options: GroupCommitOptions<T>;
  #pending: T[] = [];
  #tasks: { run: () => Promise<void>; reject: (error: Error) => void }[] = [];
  #running: Promise<void> | null = null;
  #stopped = false;
  /** Ends the live work that items waiting or being written count as. */
  #endLive: (() => void) | null = null;

  constructor(options: GroupCommitOptions<T>) {
    this.#options = options;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }

  push(item: T): void {
    if (this.#stopped) throw new Error('the commit queue has stopped after a failed write');
    this.#pending.push(item);
    this.#endLive ??= liveWorkStarted();
    this.#kick();
  }

  /** Runs `task` alone, after the batch in flight; its errors are the caller's. */
  exclusive(task: () => Promise<void>): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error('the commit queue has stopped after a failed write'));
    return new Promise((resolve, reject) => {
      this.#tasks.push({ run: () => task().then(resolve, reject), reject });
      this.#kick();
    });
  }

  /** Resolves once everything pushed so far has been written (or dropped). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #kick() {
    if (this.#running) return;
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      // Work pushed after the drain's last look, before this callback ran, saw it still running and did not start one.
      if (!this.#stopped && (this.#pending.length > 0 || this.#tasks.length > 0)) this.#kick();
    });
  }

  async #drain() {
    const delay = this.#options.delayMs ?? 0;
    await new Promise((resolve) => (delay > 0 ? setTimeout(resolve, delay) : setImmediate(resolve)));
    while (!this.#stopped && (this.#pending.length > 0 || this.#tasks.length > 0)) {
      const task = this.#tasks.shift();
      if (task) {
        await task.run();
        continue;
      }
      const batch = this.#pending.splice(0, this.#options.maxBatch ?? 500);
      try {
        await this.#options.write(batch);
        // Items that came meanwhile are live work of their own, started now: a room typed in without a pause
        // would otherwise hold one piece of live work for minutes, which counts as stale (see live-work.ts).
        const written = this.#endLive;
        this.#endLive = this.#pending.length > 0 ? liveWorkStarted() : null;
        written?.();
      } catch (error) {
        this.#stopped = true;
        this.#liveWorkDone();
        const dropped = [...batch, ...this.#pending.splice(0)];
        this.#options.onError(error, dropped);
        for (const task of this.#tasks.splice(0)) task.reject(new Error('the commit queue has stopped after a failed write'));
      }
    }
  }

  #liveWorkDone() {
    this.#endLive?.();
    this.#endLive = null;
  }
}
