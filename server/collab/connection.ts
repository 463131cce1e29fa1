/**
 * One participant's connection, independent of the transport: the upgrade
 * glue hands us a socket-like thing and the authenticated context. Frame-level
 * limits (size, rate, shape) are enforced here, before the room sees anything.
 *
 * Presence and document messages are limited separately. Presence frames
 * (the stock client echoes every presence update it receives) have their own
 * rate; over it only the newest waits, superseding the older ones, which is
 * all presence needs. Document messages are limited with backpressure, not by
 * closing: frames over the rate wait here while the socket stops reading, so
 * a client that sends too fast (a paste, a reconnect flushing its edits) is
 * slowed down and never loses its connection. A client that keeps pushing
 * past a paused socket, or stays over the message rate for
 * BACKLOG_PATIENCE_MS on end, is closed with a code the stock provider
 * reconnects after: its reconnect sends everything it has in one sync
 * message, which is far cheaper for both sides than draining thousands of
 * small frames at the rate.
 *
 * Document messages also spend their person's byte budget (write-budgets.ts),
 * shared by all their connections. Over it a frame waits the same way, but
 * for as long as it takes: a resync would send the same bytes again, so
 * closing would save nothing.
 */
import type { Logger } from '../log.ts';
import { presenceColor, presenceColorLight, type PresenceIdentity } from '../shared/presence.ts';
import { CloseCode } from '../shared/close-codes.ts';
import type { CollabUser } from './access.ts';
import { MalformedMessage, MESSAGE_AWARENESS, NOTHING_NEW, parseMessage, type IncomingMessage } from './protocol.ts';
import { TokenBucket } from './token-bucket.ts';
import { ReaderLag } from './reader-lag.ts';
import { largestPresenceState } from './awareness.ts';
import { MAX_PRESENCE_STATE_BYTES } from './presence-state.ts';

/**
 * Presence frames a connection may have handled per second. A stock client
 * sends its own changes (a cursor moves at most a few times a second) plus one
 * echo per presence frame it receives (at most one per flush, 20 a second).
 */
const PRESENCE_PER_SECOND = 40;

/** How long a client may be held back by the rate without a break before it is asked to resync instead. */
export const BACKLOG_PATIENCE_MS = 5_000;

/**
 * A client must hear something at least this often. The stock client drops a
 * connection on which nothing arrived for 30 s and resends its whole state,
 * and a connection can be silent for many reasons: its room is still loading,
 * its socket is paused by its budget (its own messages, presence renewals
 * included, wait behind the pause, so there is nothing to answer), or it is
 * alone in its room (its own presence is never sent back to it). One rule
 * covers them all: see Connection.keepAlive.
 */
export const KEEPALIVE_MS = 10_000;

export interface CollabSocket {
  send(frame: Uint8Array): void;
  /**
   * `refused`: closed for the client's fault. What it still sends is not
   * read (a client flooding 1 MB messages had every byte of them unmasked
   * after its close), and the connection ends shortly after the close frame.
   */
  close(code: number, reason: string, refused?: boolean): void;
  /** Stop and restart reading from the peer (backpressure); optional for transports that cannot. */
  pause?(): void;
  resume?(): void;
  /** Bytes queued for sending and not yet written to the network. */
  readonly bufferedAmount?: number;
}

export interface ConnectionContext {
  docId: string;
  user: CollabUser;
  sessionId: string;
  access: 'write' | 'read';
  /** The user's role in the document's incident, shown in presence. */
  role?: string | null;
}

export interface ConnectionLimits {
  maxMessageBytes: number;
  messagesPerSecond: number;
  /** Send backlog past which the room stops sending updates one by one (see sync-replies.ts); 4× closes. */
  maxBufferedBytes: number;
}

/** What a connection needs from its room. */
export interface RoomPort {
  receive(connection: Connection, message: IncomingMessage): void;
  leave(connection: Connection): void;
  /** The client echoed presence late: it is behind (see reader-lag.ts). */
  fellBehind?(connection: Connection): void;
}

export class Connection {
  readonly docId: string;
  readonly user: ConnectionContext['user'];
  readonly sessionId: string;
  readonly access: 'write' | 'read';
  #role: string | null;
  /** Built when presence first needs it: most connections of a crowd never publish any. */
  #identity: PresenceIdentity | null = null;
  /** The awareness client id this connection publishes (see presence.ts). */
  presenceId: number | null = null;
  /** How far behind the client is, from the presence it echoes (see reader-lag.ts). */
  readonly #lag = new ReaderLag();
  readOnlyStrikes = 0;
  readonly #socket: CollabSocket;
  readonly #limits: ConnectionLimits;
  readonly #bucket: TokenBucket;
  /** The person's bytes of document messages, shared with their other connections. */
  readonly #bytes: TokenBucket | null;
  readonly #presenceBucket: TokenBucket;
  /** The newest presence frame over the presence rate; older ones are dropped. */
  #presenceWaiting: Uint8Array | null = null;
  #presenceTimer: NodeJS.Timeout | null = null;
  readonly #log: Logger;
  #room: RoomPort | null = null;
  /** Messages that arrived before the room finished loading. */
  #early: IncomingMessage[] = [];
  /** Frames over the rate, waiting for their turn while the socket is paused. */
  #waiting: Uint8Array[] = [];
  #waitingBytes = 0;
  /** When this client was first held back by the message rate (Date.now()); null once a frame goes straight through or only bytes hold it. */
  #waitingSince: number | null = null;
  #drainTimer: NodeJS.Timeout | null = null;
  /** When anything was last sent to the client (Date.now()); the upgrade's answer counts, so it starts now. */
  #lastSentAt = Date.now();
  #gone: (() => void)[] = [];
  #closed = false;

  constructor(socket: CollabSocket, context: ConnectionContext, limits: ConnectionLimits, log: Logger, writeBudget: TokenBucket | null = null) {
    this.#socket = socket;
    this.docId = context.docId;
    this.user = context.user;
    this.sessionId = context.sessionId;
    this.access = context.access;
    this.#role = context.role ?? null;
    this.#limits = limits;
    // One second's worth of burst: a paste or a reconnect flushes several messages at once.
    this.#bucket = new TokenBucket(limits.messagesPerSecond, Math.max(limits.messagesPerSecond, 20));
    this.#bytes = writeBudget;
    this.#presenceBucket = new TokenBucket(PRESENCE_PER_SECOND, PRESENCE_PER_SECOND);
    this.#log = log;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get role(): string | null {
    return this.#role;
  }

  /** Who this connection is in presence: set by the server, never by the client (see presence.ts). */
  get identity(): PresenceIdentity {
    if (!this.#identity) {
      const { id, displayName } = this.user;
      this.#identity = { id, name: displayName, color: presenceColor(id), colorLight: presenceColorLight(id), role: this.#role };
    }
    return this.#identity;
  }

  /** The client sent back presence the room sent it `lagMs` ago (see reader-lag.ts). */
  heardEcho(lagMs: number): void {
    if (this.#lag.heard(lagMs)) this.#room?.fellBehind?.(this);
  }

  /** Whether an echo of the last second came back late: the room then sends it merged updates now and then (see fan-out.ts). */
  isBehind(now = performance.now()): boolean {
    return this.#lag.behind(now);
  }

  /** Bytes sent to this client and still waiting in the transport. */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount ?? 0;
  }

  /** Runs `fn` once the connection is closed, by either side. */
  whenGone(fn: () => void): void {
    if (this.#closed) fn();
    else this.#gone.push(fn);
  }

  /** The incident role changed; presence shows it from the next flush. */
  setRole(role: string | null): void {
    this.#role = role;
    this.#identity = null;
  }

  attach(room: RoomPort): void {
    this.#room = room;
    const early = this.#early;
    this.#early = [];
    for (const message of early) if (!this.#closed) room.receive(this, message);
  }

  /** A binary frame from the client. */
  receive(frame: Uint8Array): void {
    if (this.#closed) return;
    if (frame.byteLength > this.#limits.maxMessageBytes) {
      return this.reject(CloseCode.MESSAGE_TOO_BIG, 'message too big', { bytes: frame.byteLength });
    }
    if (frame[0] === MESSAGE_AWARENESS) {
      // Sized as it arrives, before any wait (its room still loading, the presence rate): no state anyone may publish
      // or echo is over the cap, and held frames would be read, one after another, for nothing. A frame within the
      // cap cannot hold a state over it: the usual one (a few hundred bytes) is parsed once, in its turn.
      const largest = frame.byteLength > MAX_PRESENCE_STATE_BYTES ? largestPresenceState(frame) : 0;
      if (largest > MAX_PRESENCE_STATE_BYTES) return this.reject(CloseCode.PRESENCE_TOO_BIG, 'presence state too big', { bytes: largest });
      return this.#receivePresence(frame);
    }
    if (this.#waiting.length === 0 && this.#admit(frame)) {
      // Under the rate again: the client's stretch of being held back is over.
      this.#waitingSince = null;
      return this.#handle(frame);
    }
    this.#waiting.push(frame);
    this.#waitingBytes += frame.byteLength;
    // A paused socket still delivers what it had already read; beyond that the client ignores backpressure.
    if (this.#waitingBytes > 4 * this.#limits.maxMessageBytes) return this.reject(CloseCode.RATE_LIMITED, 'too many messages');
    this.#socket.pause?.();
    this.#scheduleDrain();
  }

  send(frame: Uint8Array): void {
    if (this.#closed) return;
    // Updates stop at the limit; what still comes (presence, replies) is small, unless the client reads nothing at all.
    if (this.bufferedAmount > 4 * this.#limits.maxBufferedBytes) {
      return this.reject(CloseCode.TOO_FAR_BEHIND, 'client is not reading', { bufferedBytes: this.bufferedAmount });
    }
    this.#socket.send(frame);
    this.#lastSentAt = Date.now();
  }

  /**
   * Sends NOTHING_NEW if nothing was sent for `silentMs`. The transport calls
   * this on a timer it keeps anyway (the upgrade's ping heartbeat), every
   * `silentMs` at most, so a client never waits more than twice that for a
   * frame, and a connection that is being sent anything costs no extra frame.
   */
  keepAlive(silentMs = KEEPALIVE_MS): void {
    if (!this.#closed && Date.now() - this.#lastSentAt >= silentMs) this.send(NOTHING_NEW);
  }

  /** Closes for a reason that is this client's fault, with one log line. */
  reject(code: CloseCode, reason: string, details: Record<string, unknown> = {}): void {
    if (this.#closed) return;
    this.#log.warn({ userId: this.user.id, docId: this.docId, code, ...details }, `collab connection closed: ${reason}`);
    this.close(code, reason, true);
  }

  close(code: number, reason: string, refused = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWaiting();
    this.#socket.close(code, reason, refused);
    this.#room?.leave(this);
  }

  /** The transport saw the socket go away (client closed, network gone). */
  closedByPeer(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWaiting();
    this.#room?.leave(this);
  }

  #handle(frame: Uint8Array): void {
    let message: IncomingMessage;
    try {
      message = parseMessage(frame);
    } catch (error) {
      if (!(error instanceof MalformedMessage)) throw error;
      return this.reject(CloseCode.MALFORMED, 'malformed message', { reason: error.message });
    }
    if (this.#room) this.#room.receive(this, message);
    else this.#early.push(message);
  }

  /**
   * Takes a message token and the frame's bytes, both or neither. Notes which
   * one held it back: only the message rate runs out of patience.
   */
  #admit(frame: Uint8Array): boolean {
    if (this.#bytes && !this.#bytes.has(frame.byteLength)) {
      this.#waitingSince = null;
      return false;
    }
    if (!this.#bucket.take()) {
      this.#waitingSince ??= Date.now();
      return false;
    }
    this.#bytes?.take(frame.byteLength);
    return true;
  }

  #msUntilAdmitted(frame: Uint8Array): number {
    return Math.max(this.#bucket.msUntilNext(), this.#bytes?.msUntilNext(frame.byteLength) ?? 0);
  }

  #scheduleDrain(): void {
    if (this.#drainTimer) return;
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = null;
      while (!this.#closed && this.#waiting.length > 0 && this.#admit(this.#waiting[0])) {
        const frame = this.#waiting.shift()!;
        this.#waitingBytes -= frame.byteLength;
        this.#handle(frame);
      }
      if (this.#closed) return;
      if (this.#waiting.length === 0) {
        // The stretch goes on if what the socket held back comes straight in over the rate again.
        this.#socket.resume?.();
      } else if (this.#waitingSince !== null && Date.now() - this.#waitingSince > BACKLOG_PATIENCE_MS) {
        this.reject(CloseCode.RATE_LIMITED, 'over the message rate for too long', { waitingFrames: this.#waiting.length });
      } else this.#scheduleDrain();
    }, Math.max(1, this.#msUntilAdmitted(this.#waiting[0])));
  }

  #receivePresence(frame: Uint8Array): void {
    if (!this.#presenceWaiting && this.#presenceBucket.take()) return this.#handle(frame);
    this.#presenceWaiting = frame;
    this.#presenceTimer ??= setTimeout(() => {
      this.#presenceTimer = null;
      const newest = this.#presenceWaiting;
      this.#presenceWaiting = null;
      if (newest && !this.#closed) this.#receivePresence(newest);
    }, Math.max(1, this.#presenceBucket.msUntilNext()));
  }

  #stopWaiting(): void {
    clearTimeout(this.#presenceTimer ?? undefined);
    this.#presenceTimer = null;
    this.#presenceWaiting = null;
    for (const fn of this.#gone.splice(0)) fn();
    clearTimeout(this.#drainTimer ?? undefined);
    this.#drainTimer = null;
    this.#waiting = [];
    this.#waitingBytes = 0;
    this.#waitingSince = null;
  }
}
