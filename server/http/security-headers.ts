import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { Config } from '../config.ts';
import type { AppEnv } from './context.ts';

/**
 * Headers every response carries. The app's pages get their
 * Content-Security-Policy from SvelteKit (svelte.config.js: hashes of its
 * inline bootstrap, script-src 'self', frame-ancestors 'none'); the status
 * pages and /api/docs set their own stricter ones; everything else (JSON,
 * health checks) is data that must never be run or framed.
 */
export function baseSecurityHeaders(config: Pick<Config, 'origin'>): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    // Internal addresses (/incidents/INC-42) must not travel to the sites people link to.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    ...(config.origin?.startsWith('https:') ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
  };
}

const DATA_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function securityHeaders(config: Pick<Config, 'origin'>): MiddlewareHandler<AppEnv> {
  const base = baseSecurityHeaders(config);
  const all = { ...base, 'Content-Security-Policy': DATA_CSP };
  return async (c, next) => {
    await next();
    // Pages written straight to the socket by SvelteKit got theirs in servePages.
    if (c.var.pageStatus !== undefined) return;
    // Set on the response's own headers: `c.header` on a finished response builds it again around its body, which
    // turned every body (a 1.3 MB published postmortem too) into a copy read back through a web stream.
    const missing = Object.entries(all).filter(([name]) => !c.res.headers.has(name));
    try {
      for (const [name, value] of missing) c.res.headers.set(name, value);
    } catch {
      // Headers that may not change (a Response.redirect's): rebuilt around the body once, as c.header does.
      for (const [name, value] of missing) c.header(name, value);
    }
  };
}

/** The same headers on a raw Node response, for what SvelteKit serves (pages and built assets). */
export function setSecurityHeaders(response: ServerResponse, config: Pick<Config, 'origin'>): void {
  for (const [name, value] of Object.entries(baseSecurityHeaders(config))) response.setHeader(name, value);
}
