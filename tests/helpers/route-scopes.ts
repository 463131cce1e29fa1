/**
 * The app's routes and what an API token needs for each, read the way the
 * server reads them: from each route's `describe({ scope })`. Declaring the
 * routes touches no database, so none is opened.
 */
import { Hono } from 'hono';
import { createApp } from '../../server/app.ts';
import { RateLimiter } from '../../server/auth/rate-limit.ts';
import { parseConfig } from '../../server/config.ts';
import type { TokenAccess } from '../../server/http/openapi/describe.ts';
import { describedRoutes, tokenAccessOf } from '../../server/http/route-scope.ts';
import { createLogger } from '../../server/log.ts';

/** The whole app, for its route table only. */
export function routeTableApp() {
  const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
  return createApp({ sql: null as never, config, log: createLogger('silent'), loginLimiter: new RateLimiter({ limit: 1, windowMs: 1 }) });
}

/** Each described /api route with its token scope, in registration order. */
export function routeScopes(routes = routeTableApp().routes): { method: string; path: string; scope: TokenAccess }[] {
  return describedRoutes(routes)
    .filter((route) => route.path.startsWith('/api/'))
    .map(({ method, path, spec }) => ({ method, path, scope: spec.scope }));
}

/**
 * What the auth middleware would decide for a request, without running any
 * handler: the app is mounted behind a first middleware that reads the
 * matched route's scope and answers at once.
 */
export function tokenAccessProbe() {
  let access: TokenAccess | null = null;
  const probe = new Hono().use(async (c) => {
    access = tokenAccessOf(c);
    return c.body(null, 204);
  });
  // Route by route rather than app.route(): the app has its own onError, and Hono would wrap (and hide) each handler.
  for (const route of routeTableApp().routes) probe.on(route.method, route.path, route.handler);
  return async (method: string, path: string) => {
    access = null;
    await probe.request(path, { method });
    return access;
  };
}
