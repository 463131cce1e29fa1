/**
 * The collaboration server without HTTP: which rooms are loaded, connecting
 * an authenticated socket to one, server-side changes, closing connections of
 * sessions that ended, and a clean shutdown that flushes every commit.
 */
import type * as Y from 'yjs';
import { stillValidSessionIds } from '../auth/sessions.ts';
import { getUser } from '../auth/users.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';
import { decideDocumentAccess, type DecideAccess } from './access.ts';
import { CloseCode } from './close-codes.ts';
import { Connection, type CollabSocket, type ConnectionContext } from './connection.ts';
import { Room, type RoomOptions } from './room.ts';
import { sqlDocumentStore, type DocumentStore } from './storage.ts';

export interface CollabOptions {
  sql: Sql;
  config: Pick<Config, 'collabUnloadMs' | 'collabMaxMessageBytes' | 'collabMaxConnectionsPerDoc' | 'collabMessagesPerSecond'>;
  log: Logger;
  decideAccess?: DecideAccess;
  store?: DocumentStore;
  /** How often open connections' sessions are re-checked. */
  sessionCheckMs?: number;
  compactAfterUpdates?: number;
  compactAfterBytes?: number;
  readOnlyStrikes?: number;
  /** Extra wait before an idle commit queue writes (0: end of the current event-loop turn). */
  commitDelayMs?: number;
}

export class CollabServer {
  readonly sql: Sql;
  readonly decideAccess: DecideAccess;
  readonly #options: CollabOptions;
  readonly #log: Logger;
  readonly #roomOptions: RoomOptions;
  readonly #rooms = new Map<string, Room>();
  readonly #loading = new Map<string, Promise<Room>>();
  readonly #unloading = new Map<string, Promise<void>>();
  readonly #unloadTimers = new Map<string, NodeJS.Timeout>();
  /** Accepted connections whose room is still loading, per document. */
  readonly #joining = new Map<string, number>();
  readonly #connections = new Set<Connection>();
  readonly #sessionCheck: NodeJS.Timeout;
  #checkingSessions = false;
  #closing = false;

  constructor(options: CollabOptions) {
    this.#options = options;
    this.sql = options.sql;
    this.#log = options.log;
    this.decideAccess = options.decideAccess ?? decideDocumentAccess;
    this.#roomOptions = {
      store: options.store ?? sqlDocumentStore(options.sql),
      log: options.log,
      compactAfterUpdates: options.compactAfterUpdates ?? 500,
      compactAfterBytes: options.compactAfterBytes ?? 1024 * 1024,
      readOnlyStrikes: options.readOnlyStrikes ?? 3,
      commitDelayMs: options.commitDelayMs ?? 0,
      onEmpty: (room) => this.#scheduleUnload(room),
      onFailed: (room) => this.#forget(room),
    };
    this.#sessionCheck = setInterval(() => void this.#closeEndedSessions(), options.sessionCheckMs ?? 2500);
    this.#sessionCheck.unref();
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Open and arriving connections to a document, for the per-document limit. */
  connectionCount(docId: string): number {
    return (this.#rooms.get(docId)?.connections.size ?? 0) + (this.#joining.get(docId) ?? 0);
  }

  /** The loaded room, if any (tests look inside). */
  loadedRoom(docId: string): Room | undefined {
    return this.#rooms.get(docId);
  }

  /** Attaches an authenticated socket to its document's room, loading the room if needed. */
  connect(socket: CollabSocket, context: ConnectionContext): Connection {
    const { config } = this.#options;
    const connection = new Connection(
      socket,
      context,
      { maxMessageBytes: config.collabMaxMessageBytes, messagesPerSecond: config.collabMessagesPerSecond },
      this.#log,
    );
    this.#connections.add(connection);
    const { docId } = context;
    this.#joining.set(docId, (this.#joining.get(docId) ?? 0) + 1);
    this.#room(docId)
      .then(
        (room) => {
          this.#cancelUnload(docId);
          room.join(connection);
          if (room.connections.size === 0) this.#scheduleUnload(room);
        },
        (error) => {
          this.#log.error({ err: error, docId, userId: context.user.id }, 'could not load document');
          connection.close(CloseCode.INTERNAL_ERROR, 'document unavailable');
        },
      )
      .finally(() => {
        const left = (this.#joining.get(docId) ?? 1) - 1;
        if (left > 0) this.#joining.set(docId, left);
        else this.#joining.delete(docId);
      });
    return connection;
  }

  /**
   * The one way domain code changes a live document (e.g. an automatic
   * timeline entry). `userId` is the acting user, or null for the system.
   * Persisted and sent to every client like a client's change; loads the
   * document when nobody has it open. Resolves once committed.
   */
  async changeDocument(docId: string, userId: string | null, mutate: (doc: Y.Doc) => void): Promise<void> {
    if (this.#closing) throw new Error('the collaboration server is shutting down');
    const room = await this.#room(docId);
    await room.change(userId, mutate);
  }

  /**
   * Re-decides access for a document's open connections, after its
   * participants or roles changed. Access is otherwise fixed at upgrade, so a
   * responder turned observer would keep writing until they reconnected.
   */
  async reauthorize(docId: string): Promise<void> {
    for (const connection of [...this.#connections]) {
      if (connection.closed || connection.docId !== docId) continue;
      const user = await getUser(this.sql, connection.user.id);
      const access = user ? await this.decideAccess(this.sql, user, docId) : 'missing';
      if (access === 'missing') connection.close(CloseCode.ACCESS_REVOKED, 'access revoked');
      else if (access !== connection.access) connection.close(CloseCode.ACCESS_CHANGED, 'access changed; reconnect');
    }
  }

  /** Stops accepting, closes every connection, commits what is pending and compacts. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#sessionCheck);
    for (const timer of this.#unloadTimers.values()) clearTimeout(timer);
    this.#unloadTimers.clear();
    for (const connection of this.#connections) connection.close(CloseCode.GOING_AWAY, 'server shutting down');
    this.#connections.clear();
    await Promise.allSettled(this.#loading.values());
    for (const room of this.#rooms.values()) this.#unload(room);
    await Promise.allSettled([...this.#unloading.values()]);
  }

  async #room(docId: string): Promise<Room> {
    // Bounded: each pass either returns or waits for an unload that started before it.
    for (let pass = 0; pass < 100; pass++) {
      const unloading = this.#unloading.get(docId);
      if (unloading) {
        await unloading;
        continue;
      }
      const room = this.#rooms.get(docId);
      if (room) return room;
      let loading = this.#loading.get(docId);
      if (!loading) {
        loading = Room.load(docId, this.#roomOptions)
          .then((loaded) => {
            this.#rooms.set(docId, loaded);
            this.#scheduleUnload(loaded);
            return loaded;
          })
          .finally(() => this.#loading.delete(docId));
        this.#loading.set(docId, loading);
      }
      return loading;
    }
    throw new Error(`document ${docId} keeps unloading; giving up`);
  }

  #scheduleUnload(room: Room): void {
    if (this.#closing || room.connections.size > 0 || this.#rooms.get(room.docId) !== room) return;
    this.#cancelUnload(room.docId);
    const timer = setTimeout(() => {
      this.#unloadTimers.delete(room.docId);
      if (room.connections.size === 0 && this.#rooms.get(room.docId) === room) this.#unload(room);
    }, this.#options.config.collabUnloadMs);
    timer.unref();
    this.#unloadTimers.set(room.docId, timer);
  }

  #cancelUnload(docId: string): void {
    clearTimeout(this.#unloadTimers.get(docId));
    this.#unloadTimers.delete(docId);
  }

  #unload(room: Room): void {
    this.#rooms.delete(room.docId);
    const done = (async () => {
      await room.flush();
      if (!room.failed) await room.compact();
    })()
      .catch((error) => this.#log.error({ err: error, docId: room.docId }, 'compaction on unload failed; the log stays and is replayed on next load'))
      .finally(() => {
        room.destroy();
        this.#unloading.delete(room.docId);
      });
    this.#unloading.set(room.docId, done);
  }

  #forget(room: Room): void {
    if (this.#rooms.get(room.docId) === room) this.#rooms.delete(room.docId);
    this.#cancelUnload(room.docId);
    room.destroy();
  }

  /** One query per interval for all connections; ended sessions lose their sockets within seconds. */
  async #closeEndedSessions(): Promise<void> {
    if (this.#checkingSessions || this.#closing) return;
    this.#checkingSessions = true;
    try {
      for (const connection of this.#connections) if (connection.closed) this.#connections.delete(connection);
      if (this.#connections.size === 0) return;
      const ids = [...new Set([...this.#connections].map((c) => c.sessionId))];
      const valid = await stillValidSessionIds(this.sql, ids);
      for (const connection of this.#connections) {
        if (!valid.has(connection.sessionId)) {
          this.#log.info({ userId: connection.user.id, docId: connection.docId }, 'session ended; closing its collaboration connection');
          connection.close(CloseCode.SESSION_ENDED, 'session ended');
        }
      }
    } catch (error) {
      this.#log.error({ err: error }, 'could not check the sessions of open collaboration connections');
    } finally {
      this.#checkingSessions = false;
    }
  }
}
