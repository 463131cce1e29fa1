import { Hono, type Context } from 'hono';
import { etag } from 'hono/etag';
import type { MiddlewareHandler } from 'hono';
import { renderAtomFeed } from '../status/atom.ts';
import { renderNotFound, renderStatusList, renderStatusPage, STATUS_CSP } from '../status/html.ts';
import { findPublicIncident, listPublicIncidents, listPublicUpdates } from '../status/repo.ts';
import { isPlausibleSlug } from '../status/slug.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { expectedOrigin } from './origin-check.ts';

// Short: the state changes during an incident, and readers reload to see it.
const CACHE = 'public, max-age=30';

const headers: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', STATUS_CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', c.res.status === 200 ? CACHE : 'no-store');
};

const notFoundPage = (c: Context<AppEnv>) => c.html(renderNotFound(), 404, { 'Cache-Control': 'no-store' });

/**
 * The public status pages: no session, no cookies read or set. The ETag is a
 * digest of the exact page, so it changes with any public change (state, title,
 * a new public update) and with nothing internal; If-None-Match then gets 304.
 */
export function statusPublicRoutes({ sql, config }: AppDeps) {
  return new Hono<AppEnv>()
    .use(etag(), headers)
    .get('/', async (c) => c.html(renderStatusList(await listPublicIncidents(sql))))
    .get('/:slug', async (c) => {
      const slug = c.req.param('slug');
      const incident = isPlausibleSlug(slug) ? await findPublicIncident(sql, slug) : null;
      if (!incident) return notFoundPage(c);
      return c.html(renderStatusPage(incident, await listPublicUpdates(sql, slug)));
    })
    .get('/:slug/feed.atom', async (c) => {
      const slug = c.req.param('slug');
      const incident = isPlausibleSlug(slug) ? await findPublicIncident(sql, slug) : null;
      if (!incident) return notFoundPage(c);
      const feed = renderAtomFeed(incident, await listPublicUpdates(sql, slug, 50), expectedOrigin(c.req.url, config.origin));
      // Without ORIGIN the feed's links come from the Host header: a shared cache must neither keep
      // nor hand out one built for someone else's Host.
      const uncached: Record<string, string> = config.origin ? {} : { 'Cache-Control': 'no-store', Vary: 'Host' };
      return c.body(feed, 200, { 'Content-Type': 'application/atom+xml; charset=utf-8', ...uncached });
    });
}
