/**
 * Websocket upgrades over loopback, before the server takes connections: one
 * refused (it runs the upgrade's own checks: the path, the origin, reading the
 * cookies, the remembered visitors) and one accepted on the same websocket
 * server, with a frame each way. A restarted server ran that code for the
 * first time on its first real client, about 2 ms of that client's first sync
 * (on PostgreSQL, where the rest of it is 12–14 ms), and every client
 * reconnects right after a restart. The listener is on 127.0.0.1 and an
 * ephemeral port, accepts only on a path made up for this start, and is
 * closed, with every socket it opened, before the real port opens.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, type WebSocketServer } from 'ws';
import type { UpgradeHandler } from './upgrade.ts';

const PASSES = 3;
const STEP_TIMEOUT_MS = 2_000;
const REFUSED_PATH = '/collab/warm-up';

export async function warmUpHandshakes(upgrade: UpgradeHandler, wss: WebSocketServer): Promise<void> {
  const echoPath = `/warm-up-echo/${randomBytes(16).toString('hex')}`;
  const sockets = new Set<Socket>();
  const server = createServer((_request, response) => response.writeHead(404).end());
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request, socket, head) => {
    if (request.url === REFUSED_PATH) return upgrade(request, socket, head);
    if (request.url !== echoPath) return socket.destroy();
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  try {
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let pass = 0; pass < PASSES; pass++) {
      await refused(`${base}${REFUSED_PATH}`);
      await echoed(`${base}${echoPath}`);
    }
  } finally {
    await close(server, sockets);
  }
}

/** An upgrade without a session: answered 401 before any upgrade. */
function refused(url: string): Promise<void> {
  return step('a refused upgrade', url, { cookie: 'warm-up=warm-up' }, (client, done, fail) => {
    client.on('unexpected-response', (_request, response) => {
      response.resume();
      if (response.statusCode === 401) done();
      else fail(new Error(`an upgrade without a session was answered ${response.statusCode}, not 401`));
    });
    client.on('open', () => fail(new Error('an upgrade without a session was accepted')));
  });
}

/** An accepted upgrade, a binary frame sent and echoed, then a clean close. */
function echoed(url: string): Promise<void> {
  return step('an echoed frame', url, {}, (client, done) => {
    client.on('open', () => client.send(Uint8Array.of(0, 0, 1, 0)));
    client.on('message', () => client.close());
    client.on('close', done);
  });
}

/** One client's exchange, bounded in time; the client is gone when it settles, whatever happened. */
function step(
  what: string,
  url: string,
  headers: Record<string, string>,
  run: (client: WebSocket, done: () => void, fail: (error: Error) => void) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const client = new WebSocket(url, { headers });
    const settle = (error: Error | null) => {
      clearTimeout(timer);
      client.terminate();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => settle(new Error(`warming up the websocket handshake: ${what} took over ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    client.on('error', (error) => settle(error));
    run(client, () => settle(null), (error) => settle(error));
  });
}

/** Stops listening and destroys every socket still open (an upgraded one would keep `close` waiting for ever). */
function close(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}
