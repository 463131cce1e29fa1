import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../log.ts';
import type { AppEnv } from './context.ts';

/**
 * One line per request: id, method, path (never the query string, which may
 * hold an invite token), status, duration and, once known, the user id.
 */
export function requestLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[\w-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('log', log.child({ reqId: requestId }));
    c.header('x-request-id', requestId);
    await next();
    const status = c.var.pageStatus ?? c.res.status;
    const entry = {
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (status >= 500) c.var.log.error(entry, 'request failed');
    else c.var.log.info(entry, 'request');
  };
}
