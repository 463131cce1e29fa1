/**
 * A room's presence (Yjs awareness), owned by the server.
 *
 * Each connection publishes exactly one awareness client id: the first one it
 * sends a state for (the stock provider announces its own state first). The
 * stock provider also re-sends every presence update it receives, so most
 * entries arriving here are echoes of other people's states: they are skipped
 * unread. A connection cannot overwrite or remove anyone else's presence.
 *
 * Presence is coalesced: only the newest state per client id matters, so
 * changes are collected and sent at most once per flush interval, one frame
 * per connection. A burst of cursor moves therefore costs a frame, never a
 * connection.
 *
 * Clocks are the server's own, from one counter per room that starts at the
 * wall clock (in microseconds): every state sent is newer than anything any
 * client has seen for that id, even from an earlier room or server process.
 * A client that reconnects (after an access change, a restart or a network
 * blip) is therefore accepted again by everyone at once, instead of being
 * ignored until its next change because its own clock did not move.
 */
import type { PresenceIdentity } from '../shared/presence.ts';
import { decodeAwarenessState, encodeAwarenessEntry, joinAwarenessEntries, parseAwarenessUpdate } from './awareness.ts';
import { CloseCode } from '../shared/close-codes.ts';
import { MAX_PRESENCE_STATE_BYTES, presenceState } from './presence-state.ts';
import { encodeAwareness } from './protocol.ts';
import { PresenceSendLog } from './reader-lag.ts';

/** What presence needs from a connection. */
export interface PresenceMember {
  readonly user: { id: string };
  readonly identity: PresenceIdentity;
  readonly closed: boolean;
  /** The awareness client id this connection publishes, once it has sent one. */
  presenceId: number | null;
  send(frame: Uint8Array): void;
  reject(code: CloseCode, reason: string, details?: Record<string, unknown>): void;
  /** The client sent back presence this room sent it `lagMs` ago (see reader-lag.ts). */
  heardEcho?(lagMs: number): void;
}

interface Published {
  owner: PresenceMember;
  /** The state as the client sent it (before the server's rewrite), to rebuild on identity changes. */
  client: Record<string, unknown>;
  state: Record<string, unknown>;
}

const NULL_JSON = new TextEncoder().encode('null');
const isNull = (json: Uint8Array) => json.byteLength === NULL_JSON.byteLength && json.every((byte, i) => byte === NULL_JSON[i]);

export interface PresenceOptions {
  /** The connections of the room, to send to. */
  members(): Iterable<PresenceMember>;
  /** How many connections the room has (sets how long changes are collected in a large room). */
  memberCount(): number;
  /** How long changes are collected before they are sent in a room of up to 100 connections (0: at the end of the event-loop turn). */
  flushMs: number;
  /** Cluster hook: this process's connections' presence changes, passed to the other processes at each flush. */
  relay?(entries: PresenceEntry[]): void;
}

/** One client's presence as processes pass it on; null: gone. */
export interface PresenceEntry {
  clientId: number;
  state: Record<string, unknown> | null;
}

/**
 * How long a room collects presence changes before sending them. Every flush
 * is a frame to each of the room's connections, and the stock provider sends
 * each frame it receives straight back: so a room of N connections flushing
 * every f ms costs 2 N × 1000 / f frames a second, on the server and spread
 * over the clients, whatever the number of people moving. Growing the
 * interval with the room (half a millisecond per connection, from 100 on; at
 * most a quarter of a second) keeps that near 4,000 frames a second: cursors
 * in a 200-person room move every 100 ms instead of every 50, which nobody
 * sees, and each tab spends half as much of its time on other people's
 * cursors.
 */
export function presenceFlushInterval(baseMs: number, connections: number): number {
  if (baseMs === 0) return 0;
  return Math.min(MAX_PRESENCE_FLUSH_MS, Math.max(baseMs, connections * PRESENCE_FLUSH_MS_PER_CONNECTION));
}
const PRESENCE_FLUSH_MS_PER_CONNECTION = 0.5;
const MAX_PRESENCE_FLUSH_MS = 250;

/** Other processes' entries not renewed for this long are dropped (clients renew every 15 s; a crashed process never says goodbye). */
export const REMOTE_PRESENCE_TTL_MS = 35_000;

export class RoomPresence {
  readonly #options: PresenceOptions;
  readonly #published = new Map<number, Published>();
  /** Client ids changed (or removed) since the last flush. */
  readonly #changed = new Set<number>();
  /** Presence of connections on other processes (cluster mode), with when it was last heard. */
  readonly #remote = new Map<number, { state: Record<string, unknown>; heardAt: number }>();
  /** Ids among #changed that this process's own connections changed: the ones to relay. */
  readonly #ownChanged = new Set<number>();
  #clock = Date.now() * 1000;
  readonly #sent = new PresenceSendLog(this.#clock);
  #flushTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  #destroyed = false;

  constructor(options: PresenceOptions) {
    this.#options = options;
  }

  /** Applies a client's awareness update; rejects the connection for a malformed or oversized one. */
  receive(member: PresenceMember, update: Uint8Array): void {
    let newestEcho = 0;
    for (const entry of parseAwarenessUpdate(update)) {
      if (member.presenceId === null && (isNull(entry.json) || !this.#claim(member, entry.clientId))) continue;
      if (entry.clientId !== member.presenceId) {
        newestEcho = Math.max(newestEcho, entry.clock);
        continue;
      }
      if (entry.json.byteLength > MAX_PRESENCE_STATE_BYTES) {
        return member.reject(CloseCode.PRESENCE_TOO_BIG, 'presence state too big', { bytes: entry.json.byteLength });
      }
      const client = decodeAwarenessState(entry);
      if (client === null) this.#remove(entry.clientId);
      else {
        this.#published.set(entry.clientId, { owner: member, client, state: presenceState(client, member.identity) });
        this.#ownChanged.add(entry.clientId);
        this.#markChanged(entry.clientId);
      }
    }
    const sentAt = newestEcho === 0 ? null : this.#sent.sentAt(newestEcho);
    if (sentAt !== null) member.heardEcho?.(performance.now() - sentAt);
  }

  /** The connection's identity changed (e.g. it took a role): others see the new one. */
  refresh(member: PresenceMember): void {
    const id = member.presenceId;
    const published = id === null ? undefined : this.#published.get(id);
    if (id === null || !published || published.owner !== member) return;
    published.state = presenceState(published.client, member.identity);
    this.#ownChanged.add(id);
    this.#markChanged(id);
  }

  leave(member: PresenceMember): void {
    const id = member.presenceId;
    if (id !== null && this.#published.get(id)?.owner === member) this.#remove(id);
  }

  /** Every current state as one awareness message for a joining connection, or null when nobody is present. */
  snapshot(): Uint8Array | null {
    const states = this.states();
    if (states.size === 0) return null;
    const entries = [...states].map(([id, state]) => encodeAwarenessEntry(id, ++this.#clock, state));
    this.#sent.record(this.#clock, performance.now());
    return encodeAwareness(joinAwarenessEntries(entries));
  }

  /** The states as clients see them (this process's connections win over another process's entry for the same id). */
  states(): Map<number, Record<string, unknown>> {
    const states = new Map([...this.#remote].map(([id, { state }]) => [id, state]));
    for (const [id, { state }] of this.#published) states.set(id, state);
    return states;
  }

  /** Cluster hook: entries another process relayed; sent on to this room's connections at the next flush. */
  receiveRemote(entries: PresenceEntry[], now = Date.now()): void {
    for (const { clientId, state } of entries) {
      if (state === null) {
        if (this.#remote.delete(clientId)) this.#markChanged(clientId);
      } else {
        this.#remote.set(clientId, { state, heardAt: now });
        if (!this.#published.has(clientId)) this.#markChanged(clientId);
      }
    }
  }

  /** Cluster hook: drops other processes' entries nobody renewed (their process may be gone). */
  expireRemote(now = Date.now()): void {
    for (const [id, { heardAt }] of this.#remote) {
      if (now - heardAt < REMOTE_PRESENCE_TTL_MS) continue;
      this.#remote.delete(id);
      this.#markChanged(id);
    }
  }

  /** Cluster hook: every state of this process's connections, for a process that just loaded the room. */
  ownEntries(): PresenceEntry[] {
    return [...this.#published].map(([clientId, { state }]) => ({ clientId, state }));
  }

  /** Sends collected changes now (tests, and before the room goes away). */
  flush(): void {
    this.#cancelFlush();
    if (this.#changed.size === 0) return;
    const entries = new Map<number, Uint8Array>();
    for (const id of this.#changed) entries.set(id, encodeAwarenessEntry(id, ++this.#clock, this.#published.get(id)?.state ?? this.#remote.get(id)?.state ?? null));
    this.#changed.clear();
    if (this.#options.relay && this.#ownChanged.size > 0) {
      this.#options.relay([...this.#ownChanged].map((clientId) => ({ clientId, state: this.#published.get(clientId)?.state ?? null })));
    }
    this.#ownChanged.clear();
    this.#sent.record(this.#clock, performance.now());
    const everything = encodeAwareness(joinAwarenessEntries([...entries.values()]));
    for (const member of this.#options.members()) {
      if (member.closed) continue;
      // Never a client's own state back to it: a newer server clock would overwrite its local state.
      const own = member.presenceId === null ? undefined : entries.get(member.presenceId);
      if (!own) member.send(everything);
      else if (entries.size > 1) member.send(encodeAwareness(joinAwarenessEntries([...entries].filter(([id]) => id !== member.presenceId).map(([, e]) => e))));
    }
  }

  destroy(): void {
    // Other processes hear about connections that left just before the room went away.
    if (this.#options.relay) this.flush();
    this.#destroyed = true;
    this.#cancelFlush();
    this.#published.clear();
    this.#remote.clear();
    this.#changed.clear();
    this.#ownChanged.clear();
  }

  /**
   * A connection takes the first id it publishes, unless another live
   * connection holds it. The same person's connection may take it over: that
   * is a tab reconnecting before the server noticed its old socket was gone.
   */
  #claim(member: PresenceMember, clientId: number): boolean {
    const holder = this.#published.get(clientId)?.owner;
    if (holder && holder !== member && !holder.closed && holder.user.id !== member.user.id) return false;
    if (holder && holder !== member) holder.presenceId = null;
    member.presenceId = clientId;
    return true;
  }

  #remove(clientId: number): void {
    if (!this.#published.delete(clientId)) return;
    this.#ownChanged.add(clientId);
    this.#markChanged(clientId);
  }

  #markChanged(clientId: number): void {
    this.#changed.add(clientId);
    if (this.#flushTimer || this.#destroyed) return;
    const flushMs = presenceFlushInterval(this.#options.flushMs, this.#options.memberCount());
    this.#flushTimer = flushMs > 0 ? setTimeout(() => this.flush(), flushMs) : setImmediate(() => this.flush());
  }

  #cancelFlush(): void {
    if (!this.#flushTimer) return;
    clearTimeout(this.#flushTimer as NodeJS.Timeout);
    clearImmediate(this.#flushTimer as NodeJS.Immediate);
    this.#flushTimer = null;
  }
}
