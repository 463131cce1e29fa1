/**
 * How many bytes of document messages one person may send per second, across
 * all of their connections (COLLAB_WRITE_BYTES_PER_SECOND). Every byte a
 * client writes is checked on a worker, applied, committed, compacted and
 * sent on; on one core a member streaming megabytes (a script, a runaway
 * client, an attacker) would take the server from everyone else. Nobody
 * types or pastes at this rate: a burst covers a large paste or the one big
 * sync message a client sends when it reconnects with offline edits, so a
 * person only ever notices the budget when they send far more than a human
 * could. A connection over it is slowed down (its socket stops being read),
 * never closed for it (see connection.ts).
 *
 * Budgets are per person, not per connection, so opening more sockets buys
 * no more: the connection caps bound the sockets, this bounds their bytes.
 */
import { TokenBucket } from './token-bucket.ts';

interface Budget {
  bucket: TokenBucket;
  holders: number;
}

export class WriteBudgets {
  readonly #bytesPerSecond: number;
  readonly #burstBytes: number;
  readonly #byPerson = new Map<string, Budget>();
  #holdsSincePrune = 0;

  /** The burst is at least one message of the largest size allowed, so every allowed message can pass. */
  constructor(bytesPerSecond: number, maxMessageBytes: number) {
    this.#bytesPerSecond = bytesPerSecond;
    this.#burstBytes = Math.max(2 * bytesPerSecond, maxMessageBytes);
  }

  /** The person's shared bucket; `release` once the connection holding it is gone. */
  hold(userId: string): { bucket: TokenBucket; release(): void } {
    if (++this.#holdsSincePrune >= 100) this.#prune();
    let budget = this.#byPerson.get(userId);
    if (!budget) {
      budget = { bucket: new TokenBucket(this.#bytesPerSecond, this.#burstBytes), holders: 0 };
      this.#byPerson.set(userId, budget);
    }
    budget.holders++;
    let released = false;
    const held = budget;
    return {
      bucket: held.bucket,
      release: () => {
        if (released) return;
        released = true;
        held.holders--;
      },
    };
  }

  /**
   * Forgets the budgets of people with no connection whose bucket has filled
   * up again. One still spent stays, or closing and reopening a socket would
   * buy a fresh burst.
   */
  #prune(): void {
    this.#holdsSincePrune = 0;
    for (const [userId, budget] of this.#byPerson) if (budget.holders === 0 && budget.bucket.has(this.#burstBytes)) this.#byPerson.delete(userId);
  }

  /** Whether a budget is kept for this person (tests look). */
  keeps(userId: string): boolean {
    return this.#byPerson.has(userId);
  }
}
