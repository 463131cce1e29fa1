import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Hono } from 'hono';
import type { UpgradeHandler } from './collab/upgrade.ts';
import type { AppEnv } from './http/context.ts';
import type { Logger } from './log.ts';

export type { UpgradeHandler };

export interface RunningServer {
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the rest. */
  close(graceMs?: number): Promise<void>;
  /** Closes the listening socket only: a load balancer sends new connections elsewhere while open ones finish. */
  stopAccepting(): void;
}

export function startServer(options: {
  app: Hono<AppEnv>;
  port: number;
  host: string;
  log: Logger;
  onUpgrade?: UpgradeHandler;
}): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: keepAlreadySent(options.app), port: options.port, hostname: options.host }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      let closed: Promise<void> | null = null;
      const whenClosed = () => (closed ??= new Promise<void>((done) => server.close(() => done())));
      resolve({ server, url: `http://${host}:${info.port}`, close: (graceMs) => closeServer(server, whenClosed, graceMs), stopAccepting: () => void whenClosed() });
    }) as Server;
    server.once('error', reject);
    server.on('upgrade', (request, socket, head) => {
      if (options.onUpgrade) options.onUpgrade(request, socket, head);
      else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    });
  });
}

/**
 * Hono answers HEAD by running the GET route and copying its response into a
 * new one, which drops the marker saying a page was already written straight
 * to the socket (SvelteKit's handler); the Node adapter then wrote headers a
 * second time, logged ERR_HTTP_HEADERS_SENT and dropped the connection.
 */
function keepAlreadySent(app: Hono<AppEnv>) {
  return async (request: Request, env: HttpBindings | Http2Bindings): Promise<Response> => {
    const response = await app.fetch(request, env);
    return env.outgoing.headersSent ? RESPONSE_ALREADY_SENT : response;
  };
}

function closeServer(server: Server, whenClosed: () => Promise<void>, graceMs = 10_000): Promise<void> {
  const force = setTimeout(() => server.closeAllConnections(), graceMs);
  force.unref();
  const closed = whenClosed();
  server.closeIdleConnections();
  return closed.finally(() => clearTimeout(force));
}
