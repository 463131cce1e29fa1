/**
 * This process's part in a cluster: it publishes what it commits, follows
 * what the others commit to the rooms it holds, passes access re-decisions
 * on, and falls back to reading the log while Redis is away.
 *
 * The ordering rule of one process holds across all of them: a change is
 * committed to PostgreSQL before any process sends it to anyone.
 */
import type { Logger } from '../log.ts';
import type { Sql } from '../db/sql.ts';
import type { CollabPeers } from '../collab/peers.ts';
import type { PresenceEntry } from '../collab/presence.ts';
import type { Room } from '../collab/room.ts';
import { clusterDocumentStore, type ClusterStore, type CommittedChanges } from './cluster-store.ts';
import { decodeDocMessage, encodeDocMessage, type ControlMessage, type DocMessage } from './messages.ts';
import { RedisBus } from './redis-bus.ts';
import { RedisRateLimiter } from './redis-rate-limit.ts';
import { NodeRegistry, type ProcessLine } from './node-registry.ts';
import { RoomFollower } from './room-follower.ts';

export interface ClusterNodeOptions {
  sql: Sql;
  redisUrl: string;
  prefix: string;
  /** This process's name in the cluster (unique among the running ones). */
  nodeId: string;
  log: Logger;
  /** How long a change past a gap waits for the missing one (default 100 ms). */
  gapWaitMs?: number;
  /** How often the log is read while Redis is down (default 250 ms). */
  fallbackPollMs?: number;
  /** How often the log is checked while Redis is up, for a last message lost without a reconnect (default 5 s). */
  safetyPollMs?: number;
  /** While Redis is down, access requests of other processes cannot arrive: every room's connections are re-decided this often instead (default 2.5 s, the session sweep's bound). */
  outageReauthorizeMs?: number;
}

/** What the node needs from the collaboration server on its process. */
export interface LocalCollab {
  reauthorizeHere(docId: string): Promise<void>;
  loadedRoom(docId: string): Room | undefined;
  readonly stats: { rooms: number; connections: number };
  readonly closing: boolean;
}

export class ClusterNode implements CollabPeers {
  readonly id: string;
  readonly store: ClusterStore;
  readonly bus: RedisBus;
  readonly #options: ClusterNodeOptions;
  readonly #log: Logger;
  readonly #followers = new Map<string, RoomFollower>();
  #collab: LocalCollab | null = null;
  #pollTimer: NodeJS.Timeout | null = null;
  #polling = false;
  #lastPoll = 0;
  #lastOutageReauthorize = 0;
  readonly #registry: NodeRegistry;
  readonly #startedAt = new Date().toISOString();

  constructor(options: ClusterNodeOptions) {
    this.#options = options;
    this.id = options.nodeId;
    this.#log = options.log.child({ node: options.nodeId });
    this.store = clusterDocumentStore(options.sql, { committed: (changes) => this.#committed(changes) });
    this.bus = new RedisBus({
      url: options.redisUrl,
      prefix: options.prefix,
      log: this.#log,
      onDocMessage: (frame) => this.#onDocMessage(frame),
      onControlMessage: (text) => this.#onControlMessage(text),
      onRecovered: () => {
        void this.#catchUpAll('Redis reconnected');
        // Access requests published while this process could not hear them are lost: decide again once.
        this.#reauthorizeAll();
      },
      onDown: () => void this.#catchUpAll('Redis went down'),
    });
    this.#registry = new NodeRegistry({
      redis: this.bus.publisher,
      prefix: options.prefix,
      log: this.#log,
      line: () => ({
        node: this.id,
        pid: process.pid,
        startedAt: this.#startedAt,
        rooms: this.#collab?.stats.rooms ?? 0,
        connections: this.#collab?.stats.connections ?? 0,
        redis: this.bus.state,
        stopping: this.#collab?.closing ?? false,
      }),
    });
  }

  /** For /readyz: Redis up or down (documents then come from the log), rooms followed. */
  readiness(): Record<string, unknown> {
    const down = this.bus.state === 'down';
    return {
      node: this.id,
      ...this.bus.detail,
      documents: down ? `Redis is down: changes of other processes are read from the PostgreSQL log every ${this.#options.fallbackPollMs ?? 250} ms` : 'through Redis',
      rooms: this.#followers.size,
    };
  }

  /** Login attempt counters shared by every process. */
  loginLimiter(options: { limit: number; windowMs: number }): RedisRateLimiter {
    return new RedisRateLimiter({ redis: this.bus.publisher, prefix: this.#options.prefix, log: this.#log, ...options });
  }

  /** Every process of the cluster that is up, with its rooms and connections. */
  processes(): Promise<ProcessLine[]> {
    return this.#registry.list();
  }

  /** Connects to Redis (retrying in the background when it is down) and starts the log checks. */
  async start(collab: LocalCollab): Promise<void> {
    this.#collab = collab;
    await this.bus.start();
    this.#registry.start();
    const tick = Math.min(this.#options.fallbackPollMs ?? 250, this.#options.safetyPollMs ?? 5000);
    this.#pollTimer = setInterval(() => void this.#poll(), tick);
    this.#pollTimer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#pollTimer ?? undefined);
    for (const follower of this.#followers.values()) follower.stop();
    this.#followers.clear();
    await this.#registry.stop(this.id);
    await this.bus.close();
  }

  /** Rooms this process follows, for the cluster's process list. */
  get followedRooms(): number {
    return this.#followers.size;
  }

  follower(docId: string): RoomFollower | undefined {
    return this.#followers.get(docId);
  }

  async load(docId: string, load: () => Promise<Room>): Promise<Room> {
    this.#followers.get(docId)?.stop();
    const follower = new RoomFollower(docId, { store: this.store, log: this.#log, gapWaitMs: this.#options.gapWaitMs ?? 100 });
    this.#followers.set(docId, follower);
    try {
      // Read the head before the document: the loaded state holds at least that much, and
      // whatever is committed after it arrives through Redis (already subscribed) or the log.
      const baseline = await this.store.head(docId);
      const room = await load();
      follower.start(room, baseline);
      this.bus.publishDoc(encodeDocMessage({ kind: 'presence-query', node: this.id, docId }));
      return room;
    } catch (error) {
      this.unload(docId);
      throw error;
    }
  }

  unload(docId: string): void {
    this.#followers.get(docId)?.stop();
    this.#followers.delete(docId);
  }

  presence(docId: string, entries: PresenceEntry[]): void {
    this.bus.publishDoc(encodeDocMessage({ kind: 'presence', node: this.id, docId, entries }));
  }

  async reauthorize(docId: string): Promise<void> {
    const message: ControlMessage = { kind: 'reauthorize', node: this.id, docId };
    this.bus.publishControl(JSON.stringify(message));
  }

  #committed({ docId, firstSeq, updates }: CommittedChanges): void {
    this.#followers.get(docId)?.own(firstSeq, updates.length);
    this.bus.publishDoc(encodeDocMessage({ kind: 'changes', node: this.id, docId, firstSeq, updates }));
  }

  #onDocMessage(frame: Uint8Array): void {
    let message: DocMessage;
    try {
      message = decodeDocMessage(frame);
    } catch (error) {
      this.#log.warn({ err: error }, 'dropped an undecodable message on the documents channel');
      return;
    }
    if (message.node === this.id) return;
    const follower = this.#followers.get(message.docId);
    if (!follower) return;
    if (message.kind === 'changes') return follower.receive(message.firstSeq, message.updates);
    const room = this.#collab?.loadedRoom(message.docId);
    if (!room) return;
    if (message.kind === 'presence') room.presence.receiveRemote(message.entries);
    else {
      const entries = room.presence.ownEntries();
      if (entries.length > 0) this.presence(message.docId, entries);
    }
  }

  #onControlMessage(text: string): void {
    let message: ControlMessage;
    try {
      message = JSON.parse(text);
    } catch (error) {
      this.#log.warn({ err: error }, 'dropped an undecodable message on the control channel');
      return;
    }
    if (message.node === this.id || message.kind !== 'reauthorize') return;
    this.#collab?.reauthorizeHere(message.docId).catch((error) =>
      this.#log.error({ err: error, docId: message.docId }, 'could not re-decide access after another process asked'),
    );
  }

  /**
   * Reads the log for every followed room whose head moved: every tick while
   * Redis is down (the fallback), every safetyPollMs while it is up. One query
   * for all rooms' heads, then only the rooms that are behind.
   */
  async #poll(): Promise<void> {
    if (this.#polling || this.#followers.size === 0) return;
    for (const docId of this.#followers.keys()) this.#collab?.loadedRoom(docId)?.presence.expireRemote();
    if (this.bus.state === 'down' && Date.now() - this.#lastOutageReauthorize >= (this.#options.outageReauthorizeMs ?? 2500)) this.#reauthorizeAll();
    const due = this.bus.state === 'down' || Date.now() - this.#lastPoll >= (this.#options.safetyPollMs ?? 5000);
    if (!due) return;
    this.#polling = true;
    this.#lastPoll = Date.now();
    try {
      const ids = [...this.#followers.keys()];
      const heads = await this.#options.sql<{ doc_id: string; seq: number }>`select doc_id, seq from document_heads where doc_id = any(${ids}::text[])`;
      await Promise.all(
        heads.map(async ({ doc_id, seq }) => {
          const follower = this.#followers.get(doc_id);
          if (follower && Number(seq) > follower.last) await follower.catchUp();
        }),
      );
    } catch (error) {
      this.#log.error({ err: error }, 'could not read the log for changes of other processes; retrying');
    } finally {
      this.#polling = false;
    }
  }

  #reauthorizeAll(): void {
    this.#lastOutageReauthorize = Date.now();
    for (const docId of this.#followers.keys()) {
      this.#collab?.reauthorizeHere(docId).catch((error) => this.#log.error({ err: error, docId }, 'could not re-decide access while Redis is away'));
    }
  }

  async #catchUpAll(why: string): Promise<void> {
    if (this.#followers.size === 0) return;
    this.#log.info({ rooms: this.#followers.size, why }, 'reading the log for changes that may not have come through Redis');
    this.#lastPoll = 0;
    await this.#poll();
  }
}
