import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const bearerWithoutCookie = (authorization?: string, cookie?: string) => !cookie && /^Bearer\s/i.test(authorization ?? '');

/** The origin a browser on our own pages sends; the configured public URL wins. */
export function expectedOrigin(requestUrl: string, configured?: string): string {
  return configured ?? new URL(requestUrl).origin;
}

/**
 * Refuses state-changing requests a browser made from another site. Browsers
 * always send Origin on cross-origin POSTs; when it is missing we fall back to
 * Sec-Fetch-Site. Clients that send neither are not browsers, so they carry no
 * ambient cookie to abuse. A request with a bearer token and no cookie is let
 * through from anywhere: a browser never attaches the token on its own, so a
 * forged request cannot carry it (cookie requests are still checked).
 */
export function originCheck({ config }: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method) && !bearerWithoutCookie(c.req.header('authorization'), c.req.header('cookie'))) {
      const origin = c.req.header('origin');
      const site = c.req.header('sec-fetch-site');
      const crossSite = origin ? origin !== expectedOrigin(c.req.url, config.origin) : site === 'cross-site' || site === 'same-site';
      if (crossSite) {
        c.var.log.warn({ origin, site, path: c.req.path }, 'cross-origin request refused');
        throw new ApiError(403, 'cross_origin', 'Cross-site requests are not allowed. Use Warroom from its own address.');
      }
    }
    await next();
  };
}
