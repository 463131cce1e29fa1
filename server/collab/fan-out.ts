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

export class FanOut {
  readonly #target: FanOutTarget;
  #batches: Batch[] = [];
  #afterSend: (() => void)[] = [];
  #scheduled: NodeJS.Immediate | null = null;

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
    const visible = batches.flatMap(({ changes }) => changes.filter((change) => change.broadcast !== null));
    if (visible.length === 0) return;
    const owed = new Set(owing);
    // Merged only if someone else is there to receive it: a lone writer's large changes cost nothing more.
    let everything: Uint8Array | null = null;
    const mergeEverything = () => {
      const pieces = batches.flatMap(({ changes, merged }) => (merged ? [merged()] : changes.flatMap((change) => (change.broadcast ? [change.broadcast] : []))));
      return encodeUpdate(merge(pieces));
    };
    // A sender gets the turn's changes without its own: one more merge per distinct sender, null when nothing is left.
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
      if (owed.has(connection)) continue;
      const frame = frameFor(connection);
      if (!frame) continue;
      connection.send(frame);
      replies.checkBacklog(connection);
    }
  }
}
