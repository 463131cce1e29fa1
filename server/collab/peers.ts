/**
 * The hook through which several server processes share live documents
 * (cluster mode). The collaboration core stays the same in one process:
 * without peers, nothing here is called.
 */
import type { PresenceEntry } from './presence.ts';
import type { Room } from './room.ts';

export interface CollabPeers {
  /** Loads a room so that it follows other processes' changes from the state it read. */
  load(docId: string, load: () => Promise<Room>): Promise<Room>;
  /** The room is gone from this process (unloaded or failed): stop following it. */
  unload(docId: string): void;
  /** Presence changes of this process's connections to the document, for the other processes. */
  presence(docId: string, entries: PresenceEntry[]): void;
  /** Asks the other processes to re-decide access of their connections to this document. */
  reauthorize(docId: string): Promise<void>;
}
