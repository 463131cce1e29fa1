/**
 * @y/websocket-server as its own bin runs it (its `ws`, `setupWSConnection`,
 * documents in memory), except that it listens on a port the system picks
 * and prints {"url": …} once listening, like every benchmark server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { setupWSConnection } from '@y/websocket-server/utils';

// Its own copy of ws (6.x), the one its bin uses, not the project's.
const require = createRequire(import.meta.resolve('@y/websocket-server/package.json'));
const WebSocket = require('ws');

const wss = new WebSocket.Server({ noServer: true });
wss.on('connection', setupWSConnection);
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('okay');
});
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws: unknown) => wss.emit('connection', ws, request));
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.on('SIGTERM', () => process.exit(0));
