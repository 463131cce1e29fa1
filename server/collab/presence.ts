/**
 * A room's presence: one y-protocols Awareness, fed only with states whose
 * identity the server has rewritten from the session. A connection may
 * publish for the awareness client ids it introduced (or that the same user
 * held on a connection that dropped); it cannot overwrite or remove anyone
 * else's. Its states are removed, for everyone, when it goes away.
 */
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { encodeAwarenessEntries, parseAwarenessUpdate, withIdentity } from './awareness.ts';
import type { Connection } from './connection.ts';
import { encodeAwareness } from './protocol.ts';

export class RoomPresence {
  // Its own Y.Doc: the awareness outlives a reload of the room's document.
  readonly #awareness = new Awareness(new Y.Doc());
  readonly #owners = new Map<number, Connection>();

  /** `broadcast(frame, except)` sends to every connection in the room but `except`. */
  constructor(broadcast: (frame: Uint8Array, except: unknown) => void) {
    this.#awareness.setLocalState(null);
    this.#awareness.on('update', ({ added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>, origin: unknown) => {
      const changed = [...added, ...updated, ...removed];
      broadcast(encodeAwareness(encodeAwarenessUpdate(this.#awareness, changed)), origin);
    });
  }

  /** Applies a client's awareness update; throws MalformedMessage for a bad one. */
  receive(connection: Connection, update: Uint8Array): void {
    const accepted = [];
    for (const entry of parseAwarenessUpdate(update)) {
      const owner = this.#owners.get(entry.clientId);
      if (owner && owner !== connection && owner.user.id !== connection.user.id) continue;
      owner?.awarenessIds.delete(entry.clientId);
      if (entry.state === null) {
        this.#owners.delete(entry.clientId);
        connection.awarenessIds.delete(entry.clientId);
      } else {
        this.#owners.set(entry.clientId, connection);
        connection.awarenessIds.add(entry.clientId);
        entry.state = withIdentity(entry.state, connection.identity);
      }
      accepted.push(entry);
    }
    if (accepted.length > 0) applyAwarenessUpdate(this.#awareness, encodeAwarenessEntries(accepted), connection);
  }

  leave(connection: Connection): void {
    const ids = [...connection.awarenessIds].filter((id) => this.#owners.get(id) === connection);
    for (const id of ids) this.#owners.delete(id);
    connection.awarenessIds.clear();
    if (ids.length > 0) removeAwarenessStates(this.#awareness, ids, null);
  }

  /** Every current state as one awareness message, or null when nobody is present. */
  snapshot(): Uint8Array | null {
    const ids = [...this.#awareness.getStates().keys()];
    return ids.length === 0 ? null : encodeAwareness(encodeAwarenessUpdate(this.#awareness, ids));
  }

  /** The states as clients see them (tests and the incidents issue read this). */
  states(): Map<number, Record<string, unknown>> {
    return this.#awareness.getStates() as Map<number, Record<string, unknown>>;
  }

  destroy(): void {
    this.#awareness.destroy();
  }
}
