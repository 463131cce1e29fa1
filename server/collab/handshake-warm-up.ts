/**
 * Websocket upgrades over loopback, before the server takes connections: one
 * refused (it runs the upgrade's own checks: the path, the origin, reading the
 * cookies, the remembered visitors) and one accepted on the same websocket
 * server, with a frame each way. A restarted server ran that code for the
 * first time on its first real client, about 2 ms of that client's first sync
 * (on PostgreSQL, where the rest of it is 12–14 ms), and every client
 * reconnects right after a restart. The listener is on 127.0.0.1 and an
 * ephemeral port, and is closed before the real one opens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, type WebSocketServer } from 'ws';
import type { UpgradeHandler } from './upgrade.ts';

const PASSES = 3;
const STEP_TIMEOUT_MS = 2_000;
const REFUSED_PATH = '/collab/warm-up';

export async function warmUpHandshakes(upgrade: UpgradeHandler, wss: WebSocketServer): Promise<void> {
  const server = createServer((_request, response) => response.writeHead(404).end());
  server.on('upgrade', (request, socket, head) => {
    if (request.url === REFUSED_PATH) return upgrade(request, socket, head);
    wss.handleUpgrade(request, socket, head, (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  try {
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let pass = 0; pass < PASSES; pass++) {
      await refused(`${base}${REFUSED_PATH}`);
      await echoed(`${base}/echo`);
    }
  } finally {
    await close(server);
  }
}

/** An upgrade without a session: answered with an HTTP refusal. */
function refused(url: string): Promise<void> {
  return step('a refused upgrade', (done, fail) => {
    const client = new WebSocket(url, { headers: { cookie: 'warm-up=warm-up' } });
    client.on('unexpected-response', (_request, response) => {
      response.resume();
      client.terminate();
      done();
    });
    client.on('open', () => fail(new Error('an upgrade without a session was accepted')));
    client.on('error', () => {});
  });
}

/** An accepted upgrade, a binary frame sent and echoed, then a clean close. */
function echoed(url: string): Promise<void> {
  return step('an echoed frame', (done, fail) => {
    const client = new WebSocket(url);
    client.on('open', () => client.send(Uint8Array.of(0, 0, 1, 0)));
    client.on('message', () => client.close());
    client.on('close', done);
    client.on('error', fail);
  });
}

function step(what: string, run: (done: () => void, fail: (error: Error) => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`warming up the websocket handshake: ${what} took over ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    run(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
