/**
 * Keeps one loaded room in step with the changes other processes commit to
 * its document. Changes carry their per-document numbers; the follower
 * applies them strictly in order from the number its loaded state covers.
 *
 * Out of order is normal (two processes publish independently), so a change
 * past a gap waits briefly for the one before it. A gap that stays, a Redis
 * outage or a reconnect is filled from the PostgreSQL log, which holds every
 * committed change: Redis may lose messages, the log may not. When the log no
 * longer has the rows (another process compacted them into segments), the
 * whole stored document is applied instead; Yjs ignores what the room has.
 */
import * as Y from 'yjs';
import type { Logger } from '../log.ts';
import type { ClusterStore } from './cluster-store.ts';

/** What the follower needs from a room. */
export interface FollowedRoom {
  readonly docId: string;
  applyCommitted(update: Uint8Array): void;
}

export interface FollowerOptions {
  store: ClusterStore;
  log: Logger;
  /** How long a change past a gap waits for the missing one before the log is read. */
  gapWaitMs: number;
}

/** null updates: this process's own commits, already in the room. */
type Numbered = { firstSeq: number; updates: Uint8Array[] | null; count: number };

export class RoomFollower {
  readonly docId: string;
  readonly #options: FollowerOptions;
  #room: FollowedRoom | null = null;
  /** Every change up to this number is in the room. */
  #last = 0;
  /** Changes that arrived before the room had loaded, or past a gap. */
  #waiting: Numbered[] = [];
  #gapTimer: NodeJS.Timeout | null = null;
  #catchingUp: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  /** Changes read from the log instead of Redis, and full reloads, since start (for tests and /readyz). */
  readonly counts = { fromBus: 0, fromLog: 0, reloads: 0 };

  constructor(docId: string, options: FollowerOptions) {
    this.docId = docId;
    this.#options = options;
  }

  get last(): number {
    return this.#last;
  }

  /** The room loaded with every change up to `baseline`; apply what arrived meanwhile. */
  start(room: FollowedRoom, baseline: number): void {
    this.#room = room;
    this.#last = Math.max(this.#last, baseline);
    this.#drain();
  }

  stop(): void {
    this.#stopped = true;
    this.#room = null;
    this.#waiting = [];
    clearTimeout(this.#gapTimer ?? undefined);
  }

  /** Changes another process committed. */
  receive(firstSeq: number, updates: Uint8Array[]): void {
    this.#take({ firstSeq, updates, count: updates.length });
  }

  /** Changes this process committed: already in the room, only the numbering moves. */
  own(firstSeq: number, count: number): void {
    this.#take({ firstSeq, updates: null, count });
  }

  /** Reads the log after the last change applied (on a gap, a Redis reconnect, and while Redis is down). */
  catchUp(): Promise<void> {
    if (this.#catchingUp) {
      this.#again = true;
      return this.#catchingUp;
    }
    this.#catchingUp = (async () => {
      do {
        this.#again = false;
        await this.#readLog();
      } while (this.#again && !this.#stopped);
    })().finally(() => (this.#catchingUp = null));
    return this.#catchingUp;
  }

  #take(numbered: Numbered): void {
    if (this.#stopped) return;
    this.#waiting.push(numbered);
    if (this.#room) this.#drain();
  }

  /** Applies waiting changes that continue the sequence; a gap left over starts the timer. */
  #drain(): void {
    const room = this.#room;
    if (!room) return;
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (let i = 0; i < this.#waiting.length; i++) {
        const { firstSeq, updates, count } = this.#waiting[i];
        const end = firstSeq + count - 1;
        if (end <= this.#last) {
          this.#waiting.splice(i--, 1);
          continue;
        }
        if (firstSeq > this.#last + 1) continue;
        this.#waiting.splice(i--, 1);
        if (updates) {
          for (const update of updates.slice(this.#last + 1 - firstSeq)) room.applyCommitted(update);
          this.counts.fromBus += end - this.#last;
        }
        this.#last = end;
        progressed = true;
      }
    }
    if (this.#waiting.length === 0) {
      clearTimeout(this.#gapTimer ?? undefined);
      this.#gapTimer = null;
    } else if (!this.#gapTimer) {
      this.#gapTimer = setTimeout(() => {
        this.#gapTimer = null;
        if (this.#waiting.length === 0 || this.#stopped) return;
        this.#options.log.info({ docId: this.docId, after: this.#last }, 'a change is missing from Redis; reading it from the log');
        this.catchUp().catch((error) => this.#options.log.error({ err: error, docId: this.docId }, 'could not read missing changes from the log; retrying on the next change'));
      }, this.#options.gapWaitMs);
    }
  }

  async #readLog(): Promise<void> {
    const { store } = this.#options;
    for (let page = 0; page < 10_000; page++) {
      const room = this.#room;
      if (!room || this.#stopped) return;
      const from = this.#last;
      const rows = await store.after(this.docId, from);
      if (this.#room !== room) return;
      if (rows === 'compacted') return this.#reload(room);
      // Changes that arrived from Redis meanwhile moved #last on: skip what is already in.
      for (const row of rows) {
        if (row.seq <= this.#last) continue;
        room.applyCommitted(row.update);
        this.#last = row.seq;
        this.counts.fromLog++;
      }
      this.#drain();
      if (rows.length < 1000) return;
    }
  }

  async #reload(room: FollowedRoom): Promise<void> {
    const { store } = this.#options;
    const head = await store.head(this.docId);
    const loaded = await store.load(this.docId);
    if (this.#room !== room || loaded.updates.length === 0) return;
    this.counts.reloads++;
    room.applyCommitted(Y.mergeUpdates(loaded.updates));
    this.#last = Math.max(this.#last, head);
    this.#drain();
  }
}
