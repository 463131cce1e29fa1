/**
 * The collaboration server without HTTP: which rooms are loaded, connecting
 * an authenticated socket to one, server-side changes, closing connections of
 * sessions that ended, and a clean shutdown that flushes every commit.
 */
import { hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type * as Y from 'yjs';
import type { Config } from '../config.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';
import type { Authenticate, Authorization, DecideAuthorizations, Visitor } from './access.ts';
import { DecisionCache } from './access-cache.ts';
import { CloseCode } from '../shared/close-codes.ts';
import { ConnectionCaps, type Admission, type Applicant } from './connection-caps.ts';
import { Connection, type CollabSocket, type ConnectionContext, type ConnectionLimits } from './connection.ts';
import type { CollabPeers } from './peers.ts';
import type { DocumentCommands } from './document-commands.ts';
import { Room, type RoomOptions } from './room.ts';
import { SessionSweep, type CheckSessions } from './session-sweep.ts';
import { sqlDocumentStore, type DocumentStore } from './storage.ts';
import { warmUpLoad, warmUpRoom } from './warm-up.ts';
import { WriteBudgets } from './write-budgets.ts';

export interface CollabOptions {
  sql: Sql;
  config: Pick<Config, | 'collabUnloadMs'
    | 'collabMaxMessageBytes'
    | 'collabMaxConnectionsPerDoc'
    | 'collabMaxConnectionsPerUser'
    | 'collabMaxConnectionsPerUserTotal'
    | 'collabMessagesPerSecond'
    | 'collabWriteBytesPerSecond'
    | 'collabMaxBufferedBytes'
    | 'collabMaxDocumentBytes'
  >;
  log: Logger;
  /** Who may open which document, and their role in it (injected: the core knows no domain; see server/wiring/document-policy.ts). */
  decideAuthorizations: DecideAuthorizations;
  /** Which session ids are still valid; connections of the others are closed. */
  checkSessions: CheckSessions;
  store?: DocumentStore;
  /** How often open connections' sessions are re-checked. */
  sessionCheckMs?: number;
  compactAfterUpdates?: number;
  compactAfterBytes?: number;
  /** Stored bytes from which a room's document lives on the document thread (see room.ts). */
  hostAboveBytes?: number;
  /** The server's named changes to documents (injected like the policy: see document-commands.ts). */
  commands?: DocumentCommands;
  readOnlyStrikes?: number;
  /** Extra wait before an idle commit queue writes (0: end of the current event-loop turn). */
  commitDelayMs?: number;
  /** How long presence changes are collected before they are sent to everyone (default 50 ms). */
  presenceFlushMs?: number;
  /** How long an upgrade's session and access decisions are remembered (see access-cache.ts). */
  sessionCacheMs?: number;
  accessCacheMs?: number;
  /** Other processes sharing the live documents (cluster mode); absent in one process. */
  peers?: CollabPeers;
}

export class CollabServer {
  readonly sql: Sql;
  readonly #decide: DecideAuthorizations;
  readonly #options: CollabOptions;
  readonly #log: Logger;
  readonly #roomOptions: RoomOptions;
  readonly #rooms = new Map<string, Room>();
  readonly #loading = new Map<string, Promise<Room>>();
  readonly #unloading = new Map<string, Promise<void>>();
  readonly #unloadTimers = new Map<string, NodeJS.Timeout>();
  readonly #caps: ConnectionCaps;
  readonly #connectionLimits: ConnectionLimits;
  readonly #connections = new Set<Connection>();
  readonly #sessionSweep: SessionSweep;
  /** Who sent an upgrade, by a hash of its cookies (they are a credential). */
  readonly #sessions: DecisionCache<Visitor | null>;
  /** Access and role by document and user. */
  readonly #authorizations: DecisionCache<Authorization>;
  #closing = false;
  readonly #writeBudgets: WriteBudgets;

  constructor(options: CollabOptions) {
    this.#options = options;
    this.sql = options.sql;
    this.#log = options.log;
    this.#decide = options.decideAuthorizations;
    const { config } = options;
    this.#connectionLimits = { maxMessageBytes: config.collabMaxMessageBytes, messagesPerSecond: config.collabMessagesPerSecond, maxBufferedBytes: config.collabMaxBufferedBytes };
    this.#writeBudgets = new WriteBudgets(config.collabWriteBytesPerSecond, config.collabMaxMessageBytes);
    this.#caps = new ConnectionCaps({
      perDocument: config.collabMaxConnectionsPerDoc,
      perUserPerDocument: config.collabMaxConnectionsPerUser,
      perUser: config.collabMaxConnectionsPerUserTotal,
    });
    this.#roomOptions = {
      store: options.store ?? sqlDocumentStore(options.sql),
      log: options.log,
      compactAfterUpdates: options.compactAfterUpdates ?? 500,
      compactAfterBytes: options.compactAfterBytes ?? 1024 * 1024,
      hostAboveBytes: options.hostAboveBytes,
      commands: options.commands,
      readOnlyStrikes: options.readOnlyStrikes ?? 3,
      commitDelayMs: options.commitDelayMs ?? 0,
      presenceFlushMs: options.presenceFlushMs ?? 50,
      maxBufferedBytes: options.config.collabMaxBufferedBytes,
      maxDocumentBytes: options.config.collabMaxDocumentBytes,
      presenceRelay: options.peers && ((docId, entries) => options.peers!.presence(docId, entries)),
      onEmpty: (room) => this.#scheduleUnload(room),
      onFailed: (room) => {
        this.forgetRemembered();
        this.#forget(room);
      },
    };
    this.#sessions = new DecisionCache({ ageMs: options.sessionCacheMs ?? 30_000 });
    this.#authorizations = new DecisionCache({ ageMs: options.accessCacheMs ?? 10_000 });
    this.#sessionSweep = new SessionSweep({
      connections: () => this.#liveConnections(),
      // A failing check may be the database going away: upgrades must ask it again (and answer 503) until it is back.
      check: (ids) => options.checkSessions(ids).catch((error: unknown) => {
        this.forgetRemembered();
        throw error;
      }),
      log: options.log,
      intervalMs: options.sessionCheckMs ?? 2500,
      remembered: {
        ids: () => [...this.#sessions.decisions()].map(([, visitor]) => visitor!.sessionId),
        ended: (ids) => this.#sessions.forget((_, visitor) => visitor != null && ids.has(visitor.sessionId)),
      },
    });
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Open and arriving connections to a document, counted against the per-document limit. */
  connectionCount(docId: string): number {
    return this.#caps.count(docId);
  }

  /**
   * `authenticate`, remembering who sent each set of cookies while their
   * session stays valid: the session sweep re-checks remembered sessions with
   * the open connections' and forgets the ended ones.
   */
  rememberVisitors(authenticate: Authenticate): Authenticate {
    return (request) => {
      const cookies = request.headers.cookie;
      if (!cookies) return authenticate(request);
      return this.#sessions.get(cookiesKey(cookies), () => authenticate(request));
    };
  }

  /**
   * Who sent these cookies, when that is remembered and settled: an upgrade
   * then needs neither a query nor a wait (the common case: a page of tabs,
   * a reconnect). Undefined when `rememberVisitors`' function must be asked.
   */
  rememberedVisitor(request: IncomingMessage): Visitor | undefined {
    const cookies = request.headers.cookie;
    return cookies ? (this.#sessions.known(cookiesKey(cookies)) ?? undefined) : undefined;
  }

  /** `authorize`'s remembered decision, when it is settled; undefined when it must be asked. */
  rememberedAuthorization(userId: string, docId: string): Authorization | undefined {
    return this.#authorizations.known(authorizationKey(docId, userId));
  }

  /**
   * Forgets every remembered session and access decision, when the database
   * may have gone away: an upgrade that needs no query would otherwise be
   * accepted into a room that cannot commit, instead of answering 503.
   */
  forgetRemembered(): void {
    this.#sessions.forget(() => true);
    this.#authorizations.forget(() => true);
  }

  /** What the user may do with `docId` and their role in it, remembered until the document's access changes. */
  authorize(userId: string, docId: string): Promise<Authorization> {
    return this.#authorizations.get(
      authorizationKey(docId, userId),
      async () => (await this.#decide(this.sql, [userId], docId)).get(userId) ?? NO_ACCESS,
      // A document that does not exist yet may exist a moment later.
      { remember: (decided) => decided.access !== 'missing' },
    );
  }

  /**
   * A first sync's storage queries on `sql` (one of the pool's connections: see Sql.everyConnection), before the
   * server takes connections. Always the SQL store on that connection: a store handed in (the cluster's) loads
   * through the same SQL, but on the pool, which would warm some other connection.
   */
  warmUpQueries(sql: Sql, docId: string | null = null): Promise<void> {
    return warmUpLoad(sqlDocumentStore(sql), docId);
  }

  /** A first sync's Yjs work, before the server takes connections (see warm-up.ts). */
  async warmUp(): Promise<void> {
    await warmUpRoom({ room: this.#roomOptions, limits: this.#connectionLimits });
  }

  /** Takes a connection slot for an upgrade about to be accepted, or says why not (see connection-caps.ts). */
  admit(applicant: Applicant): Admission {
    return this.#caps.admit(applicant);
  }

  /** Loaded rooms and open connections of this process (the cluster's process list shows them). */
  get stats(): { rooms: number; connections: number } {
    return { rooms: this.#rooms.size, connections: [...this.#liveConnections()].length };
  }

  /** The loaded room, if any (tests look inside). */
  loadedRoom(docId: string): Room | undefined {
    return this.#rooms.get(docId);
  }

  /**
   * Attaches an authenticated socket to its document's room, loading the room
   * if needed. `release` frees the slot `admit` took, once the connection is gone.
   */
  connect(socket: CollabSocket, context: ConnectionContext, release?: () => void): Connection {
    const budget = this.#writeBudgets.hold(context.user.id);
    const connection = new Connection(socket, context, this.#connectionLimits, this.#log, budget.bucket);
    connection.whenGone(budget.release);
    if (release) connection.whenGone(release);
    this.#connections.add(connection);
    const { docId } = context;
    const join = (room: Room) => {
      this.#cancelUnload(docId);
      room.join(connection);
      if (room.connections.size === 0) this.#scheduleUnload(room);
    };
    // A loaded room is joined at once: the sync step 1 then leaves in the same write as the upgrade's answer.
    const loaded = this.#unloading.has(docId) ? undefined : this.#rooms.get(docId);
    if (loaded) join(loaded);
    else {
      // While it loads the connection hears NOTHING_NEW now and then, like any silent one (see Connection.keepAlive).
      this.#room(docId).then(join, (error) => {
        this.#log.error({ err: error, docId, userId: context.user.id }, 'could not load document');
        connection.close(CloseCode.INTERNAL_ERROR, 'document unavailable');
      });
    }
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
   * The server's named changes and reads (see document-commands.ts): run
   * where the document lives, a large one's on the document thread. Resolves
   * with the command's result once committed and sent.
   */
  async runCommand(docId: string, userId: string | null, command: unknown): Promise<unknown> {
    if (this.#closing) throw new Error('the collaboration server is shutting down');
    const room = await this.#room(docId);
    return room.runCommand(userId, command);
  }

  /** A change made elsewhere as a Yjs update (an import, a test's fixture), applied, stored and sent like a client's. */
  async applyUpdate(docId: string, userId: string | null, update: Uint8Array): Promise<void> {
    if (this.#closing) throw new Error('the collaboration server is shutting down');
    const room = await this.#room(docId);
    await room.applyUpdate(userId, update);
  }

  /**
   * Re-decides access and roles for a document's open connections, after its
   * participants or roles changed. Access is otherwise fixed at upgrade, so a
   * responder turned observer would keep writing until they reconnected. A
   * connection whose access changed is closed with a code the client
   * reconnects after; one whose role changed stays and shows the new role.
   */
  async reauthorize(docId: string): Promise<void> {
    await Promise.all([this.reauthorizeHere(docId), this.#options.peers?.reauthorize(docId)]);
  }

  /** `reauthorize` for this process's connections only (another process asked, in cluster mode). */
  async reauthorizeHere(docId: string): Promise<void> {
    this.#authorizations.forget((key) => key.startsWith(authorizationKey(docId, '')));
    const open = [...this.#connections].filter((connection) => !connection.closed && connection.docId === docId);
    if (open.length === 0) return;
    // Everyone in the room is decided together: a role change in a room of 500 readers is a few queries, not 500 rounds of them.
    const decided = await this.#decide(this.sql, [...new Set(open.map((connection) => connection.user.id))], docId);
    for (const connection of open) {
      if (connection.closed) continue;
      // A user who no longer exists has no access.
      const { access, role } = decided.get(connection.user.id) ?? NO_ACCESS;
      if (access === 'missing') connection.close(CloseCode.ACCESS_REVOKED, 'access revoked');
      else if (access !== connection.access) connection.close(CloseCode.ACCESS_CHANGED, 'access changed; reconnect');
      else if (role !== connection.role) {
        connection.setRole(role);
        this.#rooms.get(docId)?.presence.refresh(connection);
      }
    }
  }

  /** Stops accepting, closes every connection, commits what is pending and compacts. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#sessionSweep.stop();
    for (const timer of this.#unloadTimers.values()) clearTimeout(timer);
    this.#unloadTimers.clear();
    for (const connection of this.#connections) connection.close(CloseCode.GOING_AWAY, 'server shutting down');
    this.#connections.clear();
    await Promise.allSettled(this.#loading.values());
    for (const room of this.#rooms.values()) this.#unload(room);
    await Promise.allSettled([...this.#unloading.values()]);
  }

  /** Open connections, forgetting closed ones on the way. */
  *#liveConnections(): Iterable<Connection> {
    for (const connection of this.#connections) {
      if (connection.closed) this.#connections.delete(connection);
      else yield connection;
    }
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
        const { peers } = this.#options;
        const load = () => Room.load(docId, this.#roomOptions);
        loading = (peers ? peers.load(docId, load) : load())
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
    this.#options.peers?.unload(room.docId);
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
    if (this.#rooms.get(room.docId) === room) {
      this.#rooms.delete(room.docId);
      this.#options.peers?.unload(room.docId);
    }
    this.#cancelUnload(room.docId);
    room.destroy();
  }
}

const authorizationKey = (docId: string, userId: string) => `${docId}\n${userId}`;

/** Cookies are a credential: the cache holds a hash of them, never the cookies themselves. */
const cookiesKey = (cookies: string) => hash('sha256', cookies, 'base64');

const NO_ACCESS: Authorization = { access: 'missing', role: null };
