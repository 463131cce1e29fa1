/**
 * Sends committed changes to a room's connections, once per event-loop turn:
 * everything committed in one turn (several commit batches, and in cluster
 * mode the changes other processes committed) goes to each connection as one
 * merged update frame. N readers then cost N sends per turn, not per batch
 * or per remote change, which is what keeps a large room's fan-out from
 * growing with the write rate.
 *
 * Only committed changes are ever handed in here, so holding them until the
 * end of the turn cannot show anyone a change the database could lose; it
 * costs at most one turn of delay.
 *
 * A connection owed a whole-state reply (see sync-replies.ts) gets changes
 * one by one instead, each reply right after the last change it contains, so
 * its client never gets a change twice or a reply that is older than an
 * update it already holds.
 *
 * A connection whose client is behind (it echoes presence late, see
 * reader-lag.ts) gets what was committed meanwhile as one merged update
 * every BEHIND_EVERY_MS instead: a client applies a merged update of a dozen
 * keystrokes about as fast as one keystroke, so a tab that cannot keep up is
 * given less to do instead of a longer queue. It joins that slower lane right
 * after a send (it holds everything up to there) and leaves it right after
 * one of the lane's sends, so it never misses a change nor gets one twice.
 */
import * as Y from 'yjs';
import type { Connection } from './connection.ts';
import { encodeUpdate } from './protocol.ts';
import type { SyncReplies } from './sync-replies.ts';

export interface CommittedChange {
  /** What others receive; null when the change added nothing they could see yet. */
  broadcast: Uint8Array | null;
  /** The connection it came from, which already has it. */
  origin: Connection | null;
  /** Position in the room's apply order; null for a change another process committed (not in this room's order). */
  position: number | null;
}

interface Batch {
  changes: readonly CommittedChange[];
  /** The batch's broadcasts merged, when the caller can do it more cheaply (e.g. from rows merged for storage); called only if someone receives it. */
  merged: (() => Uint8Array) | null;
}

export interface FanOutTarget {
  readonly connections: Iterable<Connection>;
  readonly replies: SyncReplies;
}

const merge = (updates: Uint8Array[]) => (updates.length === 1 ? updates[0] : Y.mergeUpdates(updates));

const visibleChanges = (batches: Batch[]) => batches.flatMap(({ changes }) => changes.filter((change) => change.broadcast !== null));

/** How often a client that is behind is sent what was committed since the last time. */
export const BEHIND_EVERY_MS = 50;

export class FanOut {
  readonly #target: FanOutTarget;
  #batches: Batch[] = [];
  #afterSend: (() => void)[] = [];
  #scheduled: NodeJS.Immediate | null = null;
  /** Connections whose clients are behind, and the batches committed since they were last sent to. */
  readonly #behind = new Set<Connection>();
  /** Connections found behind since the last send: they join the slower lane right after the next one. */
  readonly #fallingBehind = new Set<Connection>();
  #behindBatches: Batch[] = [];
  #behindTimer: NodeJS.Timeout | null = null;

  constructor(target: FanOutTarget) {
    this.#target = target;
  }

  /** Committed changes, in commit order; `afterSend` runs once they have gone out. */
  add(changes: readonly CommittedChange[], merged: (() => Uint8Array) | null = null, afterSend?: () => void): void {
    this.#batches.push({ changes, merged });
    if (afterSend) this.#afterSend.push(afterSend);
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  get pending(): boolean {
    return this.#batches.length > 0;
  }

  /** Sends what is waiting now (the end of the turn, or a room closing). */
  flush(): void {
    clearImmediate(this.#scheduled ?? undefined);
    this.#scheduled = null;
    const batches = this.#batches.splice(0);
    const afterSend = this.#afterSend.splice(0);
    if (batches.length > 0) this.#send(batches);
    for (const fn of afterSend) fn();
  }

  /** The connection's client echoed presence late (see reader-lag.ts). */
  fellBehind(connection: Connection): void {
    if (!this.#behind.has(connection)) this.#fallingBehind.add(connection);
  }

  /** Sends the clients that are behind what they are owed now (a room closing). */
  flushBehind(): void {
    if (this.#behind.size === 0) return;
    this.#sendBehind();
    this.#behind.clear();
    this.#fallingBehind.clear();
    clearTimeout(this.#behindTimer ?? undefined);
    this.#behindTimer = null;
  }

  #send(batches: Batch[]): void {
    const { replies, connections } = this.#target;
    const owing = replies.owing();
    for (const { changes } of batches) {
      for (const change of changes) {
        if (owing.length > 0 && change.broadcast) {
          for (const connection of owing) {
            if (connection !== change.origin && replies.wants(connection, change.position ?? Infinity)) connection.send(encodeUpdate(change.broadcast));
          }
        }
        if (change.position !== null) replies.committedUpTo(change.position);
      }
    }
    const visible = visibleChanges(batches);
    if (visible.length === 0) return;
    const owed = new Set(owing);
    if (this.#behind.size > 0) this.#behindBatches.push(...batches);
    this.#deliver(batches, visible, connections, (connection) => !owed.has(connection) && !this.#behind.has(connection));
    for (const connection of this.#fallingBehind) if (!connection.closed && !owed.has(connection)) this.#behind.add(connection);
    this.#fallingBehind.clear();
    if (this.#behind.size > 0) this.#behindTimer ??= setTimeout(() => this.#sendBehind(), BEHIND_EVERY_MS);
  }

  #sendBehind(): void {
    clearTimeout(this.#behindTimer ?? undefined);
    this.#behindTimer = null;
    const batches = this.#behindBatches.splice(0);
    // One owed a reply gets it instead: the reply holds everything committed before it.
    const owed = new Set(this.#target.replies.owing());
    const members = [...this.#behind];
    const visible = visibleChanges(batches);
    if (visible.length > 0) this.#deliver(batches, visible, members, (connection) => !owed.has(connection) && !connection.closed);
    for (const connection of members) {
      if (owed.has(connection) || connection.closed || !connection.isBehind()) this.#behind.delete(connection);
    }
    if (this.#behind.size > 0) this.#behindTimer = setTimeout(() => this.#sendBehind(), BEHIND_EVERY_MS);
  }

  /** The batches' `visible` changes (those with a broadcast, at least one), merged, to each of `connections` that `include` accepts, without the changes it sent itself. */
  #deliver(batches: Batch[], visible: CommittedChange[], connections: Iterable<Connection>, include: (connection: Connection) => boolean): void {
    const { replies } = this.#target;
    // Merged only if someone else is there to receive it: a lone writer's large changes cost nothing more.
    let everything: Uint8Array | null = null;
    const mergeEverything = () => {
      const pieces = batches.flatMap(({ changes, merged }) => (merged ? [merged()] : changes.flatMap((change) => (change.broadcast ? [change.broadcast] : []))));
      return encodeUpdate(merge(pieces));
    };
    // A sender gets the changes without its own: one more merge per distinct sender, null when nothing is left.
    const withoutOwn = new Map<Connection, Uint8Array | null>();
    for (const change of visible) if (change.origin) withoutOwn.set(change.origin, null);
    const frameFor = (connection: Connection): Uint8Array | null => {
      if (!withoutOwn.has(connection)) return (everything ??= mergeEverything());
      let frame = withoutOwn.get(connection) ?? null;
      if (frame === null) {
        const others = visible.filter((change) => change.origin !== connection);
        if (others.length === 0) return null;
        frame = encodeUpdate(merge(others.map((change) => change.broadcast!)));
        withoutOwn.set(connection, frame);
      }
      return frame;
    };
    for (const connection of connections) {
      if (!include(connection)) continue;
      const frame = frameFor(connection);
      if (!frame) continue;
      connection.send(frame);
      replies.checkBacklog(connection);
    }
  }
}
