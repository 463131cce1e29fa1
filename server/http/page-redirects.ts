/**
 * Permanent redirects from other spellings of an incident page to its one
 * address (server/shared/incident-paths.ts). The browser app follows the same
 * rule for links it routes itself.
 */
import type { MiddlewareHandler } from 'hono';
import { canonicalIncidentPath } from '../shared/incident-paths.ts';
import type { AppEnv } from './context.ts';

export const incidentPageRedirects: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
  const canonical = canonicalIncidentPath(c.req.path);
  if (!canonical) return next();
  const query = new URL(c.req.url).search;
  return c.redirect(canonical + query, 308);
};
