/**
 * HTTP glue for `GET /collab/:docId`: every refusal that can be decided from
 * the request is a plain HTTP response written before the upgrade (401 no
 * session, 403 cross-site, 404 unknown path or no such document for you, 429
 * over a per-person cap, 503 room full, shutting down or database unreachable,
 * with Retry-After). Then `ws` takes the socket and the collab core
 * gets a socket-like object and the authenticated context.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Config } from '../config.ts';
import { isDatabaseUnavailable, withDeadline } from '../db/availability.ts';
import type { Logger } from '../log.ts';
import { CloseCode } from '../shared/close-codes.ts';
import type { Authenticate, Visitor } from './access.ts';
import type { CollabServer } from './collab-server.ts';
import { KEEPALIVE_MS } from './connection.ts';
import { warmUpHandshakes } from './handshake-warm-up.ts';
import { UpgradeTurns } from './upgrade-turns.ts';

export interface CollabUpgradeOptions {
  collab: CollabServer;
  /** Who sent the request (injected, like Hocuspocus's onAuthenticate; see server/wiring/document-policy.ts). */
  authenticate: Authenticate;
  config: Pick<Config, 'origin' | 'collabMaxMessageBytes'>;
  log: Logger;
  /** A connection that has not answered the previous ping by the next one is dropped. */
  pingIntervalMs?: number;
  /** A connection that was sent nothing for this long is sent NOTHING_NEW (default KEEPALIVE_MS; see Connection.keepAlive). */
  keepaliveMs?: number;
  /** Each database query of the upgrade gets this long before the upgrade answers 503. */
  queryDeadlineMs?: number;
  /** Upgrades run for at most this long per turn of the event loop (see upgrade-turns.ts). */
  upgradeBudgetMs?: number;
}

/** A few upgrades per turn: at each step on its way, a live room's edit waits for at most about this much of a reconnect storm. */
const UPGRADE_BUDGET_MS = 1;

/**
 * A connection closed for its client's fault ends this long after its close
 * frame, whether or not the client answered (it is not read any more): a
 * browser reads the frame, and its code, well within it.
 */
const REFUSED_GRACE_MS = 1000;

const PATH = /^\/collab\/([A-Za-z0-9][A-Za-z0-9_.:-]{0,199})$/;

/** Handles the HTTP server's 'upgrade' event. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The collab endpoint's handler, and its warm-up before the server listens (see handshake-warm-up.ts). */
export type CollabUpgrade = UpgradeHandler & { warmUp(): Promise<void> };

export function createCollabUpgrade(options: CollabUpgradeOptions): CollabUpgrade {
  const { collab, config, log } = options;
  // Upgrades remember who sent which cookies: a reconnecting tab costs no session query (see access-cache.ts).
  const authenticate = collab.rememberVisitors(options.authenticate);
  const pingIntervalMs = options.pingIntervalMs ?? 30_000;
  const keepaliveMs = options.keepaliveMs ?? KEEPALIVE_MS;
  // One timer per connection does both jobs: it ticks at the shorter interval and pings every so many ticks.
  // A timer per connection is already needed for pings, so the keepalive adds no timer (1,000 idle
  // connections: a tick each every 10 s instead of every 30 s, and one 3-byte frame each per 10 s).
  const tickMs = Math.min(pingIntervalMs, keepaliveMs);
  const ticksPerPing = Math.max(1, Math.round(pingIntervalMs / tickMs));
  const queryDeadlineMs = options.queryDeadlineMs ?? 2000;
  // Open sockets are tracked by the collab server, not by ws (its client set would be a second registry nobody reads).
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.collabMaxMessageBytes, perMessageDeflate: false, clientTracking: false });

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    // A client that gave up while its upgrade waited for its turn costs no queries.
    if (socket.destroyed) return;
    const docId = PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname)?.[1];
    if (!docId) return refuse(socket, 404, 'No such endpoint.');
    // Browsers always send Origin on websocket handshakes; a client without one carries no ambient cookie to abuse.
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== (config.origin ?? `http://${request.headers.host}`)) {
      log.warn({ origin, docId }, 'cross-origin websocket refused');
      return refuse(socket, 403, 'Cross-site connections are not allowed.');
    }
    if (collab.closing) return refuse(socket, 503, 'The server is restarting. Try again in a moment.');
    // Remembered decisions are used as they are: no timer, no wait (see access-cache.ts for what keeps them honest).
    const rememberedVisitor = collab.rememberedVisitor(request);
    const valid = rememberedVisitor ?? (await withDeadline(authenticate(request), queryDeadlineMs, 'the session check'));
    if (!valid) return refuse(socket, 401, 'Log in to open this document.');
    const remembered = collab.rememberedAuthorization(valid.user.id, docId);
    const { access, role } = remembered ?? (await withDeadline(collab.authorize(valid.user.id, docId), queryDeadlineMs, 'the access check'));
    if (access === 'missing') return refuse(socket, 404, 'No such document.');
    const accepting = () => accept(request, socket, head, { docId, valid, access, role });
    // After a wait for the database the rest is a new turn's work: many upgrades waiting on one decision resume together.
    if (rememberedVisitor && remembered) accepting();
    else turns.run(() => guarded(request, socket, accepting));
  }

  /** The handshake, the room's first messages: synchronous, so the slot is taken and used in one go. */
  function accept(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    { docId, valid, access, role }: { docId: string; valid: Visitor; access: 'write' | 'read'; role: string | null },
  ): void {
    if (collab.closing) return refuse(socket, 503, 'The server is restarting. Try again in a moment.');
    if (socket.destroyed) return;
    // No await from here to the upgrade: the slot is taken and used in one go.
    const admission = collab.admit({ docId, userId: valid.user.id, sessionId: valid.sessionId, roleHolder: role !== null });
    if (!admission.ok) {
      log.warn({ docId, userId: valid.user.id, status: admission.status }, 'collab connection refused: over a connection cap');
      return refuse(socket, admission.status, admission.message, { 'Retry-After': '5' });
    }
    socket.once('close', admission.release);

    const serve = (ws: WebSocket) => {
      const connection = collab.connect(
        {
          send: (frame) => ws.send(frame),
          close: (code, reason, refused) => {
            if (refused) {
              ws.pause();
              ws.close(code, reason);
              // Ended without the client's half of the handshake, which is not read: time enough to read our close frame first.
              setTimeout(() => ws.terminate(), REFUSED_GRACE_MS).unref();
              return;
            }
            // A paused socket would never read the client's half of the closing handshake.
            ws.resume();
            ws.close(code, reason);
          },
          pause: () => ws.pause(),
          resume: () => ws.resume(),
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
        },
        { docId, user: valid.user, sessionId: valid.sessionId, access, role },
        admission.release,
      );
      let alive = true;
      let ticks = 0;
      const heartbeat = setInterval(() => {
        connection.keepAlive(keepaliveMs);
        if (++ticks % ticksPerPing !== 0) return;
        if (!alive) {
          log.info({ docId, userId: valid.user.id }, 'collab connection stopped answering pings; dropping it');
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, tickMs);
      ws.on('pong', () => (alive = true));
      ws.on('message', (data: RawData, isBinary: boolean) => {
        alive = true;
        if (!isBinary) return connection.reject(CloseCode.UNSUPPORTED_DATA, 'text frames are not part of the protocol');
        connection.receive(toBytes(data));
      });
      ws.on('error', (error: Error & { code?: string }) => {
        // ws has already closed with 1009 (or 1002 for a protocol error); this is the log line.
        log.warn({ docId, userId: valid.user.id, code: error.code, reason: error.message }, 'collab connection closed by the websocket layer');
      });
      ws.on('close', () => {
        clearInterval(heartbeat);
        connection.closedByPeer();
      });
    };
    // The upgrade's answer and the room's first messages (joining a loaded room is immediate) go out in one write.
    socket.cork();
    wss.handleUpgrade(request, socket, head, (ws) => {
      try {
        serve(ws);
      } finally {
        socket.uncork();
      }
    });
  }

  /** An upgrade's failure, answered on its socket. */
  function failed(request: IncomingMessage, socket: Duplex, error: unknown): void {
    if (isDatabaseUnavailable(error)) {
      collab.forgetRemembered();
      log.warn({ reason: (error as Error).message, url: request.url }, 'websocket upgrade refused: database unavailable');
      return refuse(socket, 503, 'The database is not reachable. Try again in a moment.', { 'Retry-After': '1' });
    }
    log.error({ err: error, url: request.url }, 'websocket upgrade failed');
    refuse(socket, 500, 'Something went wrong on our side.');
  }

  function guarded(request: IncomingMessage, socket: Duplex, run: () => void): void {
    try {
      run();
    } catch (error) {
      failed(request, socket, error);
    }
  }

  const turns = new UpgradeTurns(options.upgradeBudgetMs ?? UPGRADE_BUDGET_MS);
  const handler: UpgradeHandler = (request, socket, head) => {
    // A client that vanishes mid-handshake is not our error; without a listener it would crash the process.
    socket.on('error', () => {});
    turns.run(() => void upgrade(request, socket, head).catch((error) => failed(request, socket, error)));
  };
  return Object.assign(handler, { warmUp: () => warmUpHandshakes(handler, wss) });
}

function refuse(socket: Duplex, status: number, message: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed || !socket.writable) return;
  const body = Buffer.from(message);
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n${extra}\r\n` +
      message,
  );
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
