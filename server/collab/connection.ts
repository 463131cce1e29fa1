/**
 * One participant's connection, independent of the transport: the upgrade
 * glue hands us a socket-like thing and the authenticated context. Frame-level
 * limits (size, rate, shape) are enforced here, before the room sees anything.
 */
import type { User } from '../auth/users.ts';
import type { Logger } from '../log.ts';
import { presenceColor, type PresenceIdentity } from '../shared/presence.ts';
import { CloseCode } from './close-codes.ts';
import { MalformedMessage, parseMessage, type IncomingMessage } from './protocol.ts';
import { TokenBucket } from './token-bucket.ts';

export interface CollabSocket {
  send(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}

export interface ConnectionContext {
  docId: string;
  user: Pick<User, 'id' | 'displayName'>;
  sessionId: string;
  access: 'write' | 'read';
}

export interface ConnectionLimits {
  maxMessageBytes: number;
  messagesPerSecond: number;
}

/** What a connection needs from its room. */
export interface RoomPort {
  receive(connection: Connection, message: IncomingMessage): void;
  leave(connection: Connection): void;
}

export class Connection {
  readonly docId: string;
  readonly user: ConnectionContext['user'];
  readonly sessionId: string;
  readonly access: 'write' | 'read';
  readonly identity: PresenceIdentity;
  /** Awareness client ids this connection publishes. */
  readonly awarenessIds = new Set<number>();
  readOnlyStrikes = 0;
  readonly #socket: CollabSocket;
  readonly #limits: ConnectionLimits;
  readonly #bucket: TokenBucket;
  readonly #log: Logger;
  #room: RoomPort | null = null;
  /** Frames that arrived before the room finished loading. */
  #early: IncomingMessage[] = [];
  #closed = false;

  constructor(socket: CollabSocket, context: ConnectionContext, limits: ConnectionLimits, log: Logger) {
    this.#socket = socket;
    this.docId = context.docId;
    this.user = context.user;
    this.sessionId = context.sessionId;
    this.access = context.access;
    this.identity = { id: context.user.id, name: context.user.displayName, color: presenceColor(context.user.id) };
    this.#limits = limits;
    // One second's worth of burst: a paste or a reconnect flushes several messages at once.
    this.#bucket = new TokenBucket(limits.messagesPerSecond, Math.max(limits.messagesPerSecond, 20));
    this.#log = log;
  }

  get closed(): boolean {
    return this.#closed;
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
    if (!this.#bucket.take()) return this.reject(CloseCode.RATE_LIMITED, 'too many messages');
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

  send(frame: Uint8Array): void {
    if (!this.#closed) this.#socket.send(frame);
  }

  /** Closes for a reason that is this client's fault, with one log line. */
  reject(code: CloseCode, reason: string, details: Record<string, unknown> = {}): void {
    if (this.#closed) return;
    this.#log.warn({ userId: this.user.id, docId: this.docId, code, ...details }, `collab connection closed: ${reason}`);
    this.close(code, reason);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close(code, reason);
    this.#room?.leave(this);
  }

  /** The transport saw the socket go away (client closed, network gone). */
  closedByPeer(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#room?.leave(this);
  }
}
