/** What a room is configured with, and a change on its way to the database. */
import type { Logger } from '../log.ts';
import type { DocumentCommands } from './document-commands.ts';
import type { Connection } from './connection.ts';
import type { PresenceEntry } from './presence.ts';
import type { Room } from './room.ts';
import type { DocumentStore, StoredUpdate } from './storage.ts';

export interface RoomOptions {
  store: DocumentStore;
  log: Logger;
  /** Compact when the log since the snapshot has this many updates… */
  compactAfterUpdates: number;
  /** …or this many bytes. */
  compactAfterBytes: number;
  /** Non-empty changes a read-only connection may send (dropped) before it is closed. */
  readOnlyStrikes: number;
  commitDelayMs: number;
  /** How long presence changes are collected before they are sent. */
  presenceFlushMs: number;
  /** A connection with more than this waiting to be sent gets one catch-up diff later instead of every update. */
  maxBufferedBytes: number;
  /** Clients' changes that would take the stored document past this are refused (server changes are not). */
  maxDocumentBytes: number;
  /** Stored bytes from which the document lives on the document thread (default HOST_ABOVE_BYTES, see room.ts). */
  hostAboveBytes?: number;
  /** The server's named changes (absent: runCommand refuses). */
  commands?: DocumentCommands;
  /** Cluster hook: presence changes of this process's connections, for the other processes. */
  presenceRelay?(docId: string, entries: PresenceEntry[]): void;
  /** The last connection left. */
  onEmpty(room: Room): void;
  /** The store failed; the room closed its connections and must be forgotten. */
  onFailed(room: Room): void;
}

export interface PendingChange extends StoredUpdate {
  /** Position in this room's apply order; commits advance in the same order. */
  position: number;
  /** What others receive: only what this change added to the document. */
  broadcast: Uint8Array | null;
  origin: Connection | null;
  done?: { resolve(): void; reject(error: unknown): void };
}
