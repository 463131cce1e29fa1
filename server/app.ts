import { Hono } from 'hono';
import type { RouterRoute } from 'hono/types';
import { authMiddleware } from './auth/middleware.ts';
import type { AppDeps, AppEnv } from './http/context.ts';
import { ApiError, notFound } from './http/errors.ts';
import { alertRoutes, incidentAlertRoutes } from './http/alerts.ts';
import { alertRuleRoutes } from './http/alert-rules.ts';
import { actionItemRoutes, overdueReviewRoutes } from './http/action-items.ts';
import { postmortemRoutes } from './http/postmortems.ts';
import { withPostmortemGeneration } from './postmortem/generation.ts';
import { adminTokenRoutes, myTokenRoutes } from './http/api-tokens.ts';
import { authRoutes } from './http/auth.ts';
import { createCommsLive, withDraftSeeding } from './comms/live.ts';
import { templateRoutes } from './http/comm-templates.ts';
import { commsRoutes } from './http/comms.ts';
import { createLiveMirror } from './incidents/live.ts';
import { directoryRoutes } from './http/directory.ts';
import { healthRoutes } from './http/health.ts';
import { incidentRoutes } from './http/incidents.ts';
import { inviteRoutes } from './http/invites.ts';
import { meRoutes } from './http/me.ts';
import { metricsRoutes } from './http/metrics.ts';
import { patternRoutes } from './http/patterns.ts';
import { replayRoutes } from './http/replay.ts';
import { incidentRunbookRoutes, runbookRoutes } from './http/runbooks.ts';
import { searchRoutes, similarRoutes } from './http/search.ts';
import { originCheck } from './http/origin-check.ts';
import { openApiRoutes } from './http/openapi/routes.ts';
import { servePages, type PagesHandler } from './http/pages.ts';
import { requestLog } from './http/request-log.ts';
import { serviceRoutes } from './http/services.ts';
import { statusPageRoutes } from './http/status-page.ts';
import { statusPublicRoutes } from './http/status-public.ts';
import { timelineRoutes } from './http/timeline.ts';
import { userRoutes } from './http/users.ts';
import { webhookRoutes } from './http/webhooks.ts';

/** Wires routes and middleware; no logic lives here. */
export function createApp(deps: AppDeps, pages?: PagesHandler) {
  const commsLive = createCommsLive(deps.sql, deps.live ?? null, deps.log);
  // One mirror for people's commands and alert auto-declares, so both seed drafts and timelines alike.
  const incidentLive = withPostmortemGeneration(
    withDraftSeeding(createLiveMirror(deps.live ?? null, deps.log), commsLive, deps.log),
    deps.live ? { sql: deps.sql, live: deps.live, reviewDays: deps.config.postmortemReviewDays } : null,
    deps.log,
  );
  const api = new Hono<AppEnv>()
    .use(originCheck(deps), authMiddleware(deps))
    .route('/auth', authRoutes(deps))
    .route('/me/tokens', myTokenRoutes(deps))
    .route('/me', meRoutes(deps))
    .route('/admin/users', userRoutes(deps))
    .route('/admin/invites', inviteRoutes(deps))
    .route('/admin/tokens', adminTokenRoutes(deps))
    .route('/admin/webhooks', webhookRoutes(deps))
    .route('/admin/templates', templateRoutes(deps))
    .route('/incidents', incidentRoutes(deps, incidentLive))
    .route('/incidents', commsRoutes(deps, commsLive))
    .route('/incidents', statusPageRoutes(deps))
    .route('/incidents', replayRoutes(deps))
    .route('/incidents', incidentAlertRoutes(deps))
    .route('/alerts', alertRoutes(deps, incidentLive))
    .route('/admin/alert-rules', alertRuleRoutes(deps))
    .route('/services', serviceRoutes(deps))
    .route('/users', directoryRoutes(deps))
    .route('/metrics', metricsRoutes(deps))
    .route('/patterns', patternRoutes(deps))
    .route('/search', searchRoutes(deps))
    .route('/incidents', similarRoutes(deps))
    .route('/incidents', timelineRoutes(deps))
    .route('/incidents', postmortemRoutes(deps))
    .route('/incidents', incidentRunbookRoutes(deps))
    .route('/runbooks', runbookRoutes(deps))
    .route('/action-items', actionItemRoutes(deps))
    .route('/postmortems', overdueReviewRoutes(deps))
    // Reads the finished router on first request, so it documents every route above, itself included.
    .route('/', openApiRoutes(deps, (): readonly RouterRoute[] => api.routes.map((r) => ({ ...r, path: `/api${r.path}` }))))
    .all('*', () => {
      throw notFound('No such API route.');
    });

  const app = new Hono<AppEnv>()
    .use(requestLog(deps.log))
    .route('/', healthRoutes(deps))
    .route('/api', api)
    .route('/status', statusPublicRoutes(deps))
    .get('/collab/*', (c) => c.json({ error: { code: 'upgrade_required', message: 'Connect with a websocket.' } }, 426));

  if (pages) app.all('*', servePages(pages));
  app.notFound((c) => c.json(notFound().toJSON(), 404));
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.headers) for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json(error.toJSON(), error.status);
    }
    c.var.log.error({ err: error, path: c.req.path }, 'unhandled error');
    return c.json({ error: { code: 'internal', message: 'Something went wrong on our side. Try again; if it persists, check the server log.' } }, 500);
  });
  return app;
}
