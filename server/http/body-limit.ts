import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './context.ts';
import { ApiError } from './errors.ts';

/** Every request body, on every route, unless a route asks for more. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Refuses a body larger than `maxSize` before anything reads or parses it:
 * from Content-Length at once, or while streaming a chunked body (holding at
 * most `maxSize` bytes). Runs first, ahead of authentication, so an anonymous
 * 100 MiB login body costs nothing. The connection is closed, because the
 * unread rest of the body cannot be skipped to reach a next request.
 */
export function limitBody(maxSize = DEFAULT_BODY_LIMIT): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize,
    onError: (c) => {
      c.var.log?.warn({ path: c.req.path, contentLength: c.req.header('content-length') ?? null, maxSize }, 'request body too large');
      throw new ApiError(413, 'payload_too_large', `The request body is larger than ${formatBytes(maxSize)}.`, { headers: { connection: 'close' } });
    },
  });
  return (c, next) => limit(c, next);
}

const formatBytes = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${Math.round(bytes / 1024)} KiB`);
