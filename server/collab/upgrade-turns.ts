/**
 * Upgrades take turns with everything else the server does. After a restart
 * every client reconnects at once, and each accepted upgrade is a fraction of
 * a millisecond of work on the event loop (the handshake, joining the room,
 * its first messages): hundreds of them become ready together, and a live
 * room's edits and their commits' answers waited behind the whole batch. Here
 * an upgrade is queued, and the queue runs for at most `budgetMs` per turn of
 * the event loop; between turns the loop reads the sockets and database
 * answers that arrived meanwhile. An idle server runs an upgrade on the next
 * turn, microseconds later.
 */
export class UpgradeTurns {
  readonly #budgetMs: number;
  #queue: ((() => void) | undefined)[] = [];
  #head = 0;
  #scheduled = false;

  constructor(budgetMs: number) {
    this.#budgetMs = budgetMs;
  }

  /** Upgrades waiting for their turn. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues `upgrade` (which handles its own errors: one that throws does not stop the others). */
  run(upgrade: () => void): void {
    this.#queue.push(upgrade);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#turn());
  }

  #turn(): void {
    const deadline = performance.now() + this.#budgetMs;
    try {
      // At least one per turn, so a budget smaller than one upgrade still makes progress.
      do {
        const upgrade = this.#queue[this.#head];
        this.#queue[this.#head++] = undefined;
        upgrade!();
      } while (this.#head < this.#queue.length && performance.now() < deadline);
    } finally {
      this.#next();
    }
  }

  #next(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
      this.#scheduled = false;
      return;
    }
    // Under a steady stream the queue never empties: drop what has run now and then.
    if (this.#head > 1024) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    setImmediate(() => this.#turn());
  }
}
