import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Handler } from 'hono';
import type { Config } from '../config.ts';
import type { AppEnv } from './context.ts';
import { setSecurityHeaders } from './security-headers.ts';

/** The SvelteKit adapter-node handler (build/handler.js): a Node middleware. */
export type PagesHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

/**
 * Hands the raw Node request to SvelteKit and waits until it has answered,
 * so the request log sees the real status and duration.
 */
export function servePages(pages: PagesHandler, config: Pick<Config, 'origin'>): Handler<AppEnv> {
  return async (c) => {
    const { incoming, outgoing } = c.env;
    outgoing.setHeader('x-request-id', c.var.requestId);
    setSecurityHeaders(outgoing, config);
    await new Promise<void>((resolve) => {
      outgoing.once('close', resolve);
      pages(incoming, outgoing, () => {
        outgoing.statusCode = 404;
        outgoing.end('Not found');
      });
    });
    c.set('pageStatus', outgoing.statusCode);
    return RESPONSE_ALREADY_SENT;
  };
}
