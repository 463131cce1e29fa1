import { Hono } from 'hono';
import type { RouterRoute } from 'hono/types';
import { authMiddleware } from './http/auth-middleware.ts';
import type { AppDeps, AppEnv } from './http/context.ts';
import { ApiError, notFound } from './http/errors.ts';
import { alertRoutes } from './http/alerts.ts';
import { alertRuleRoutes } from './http/alert-rules.ts';
import { actionItemRoutes, overdueReviewRoutes } from './http/action-items.ts';
import { withPostmortemGeneration } from './postmortem/generation.ts';
import { adminTokenRoutes, myTokenRoutes } from './http/api-tokens.ts';
import { clusterRoutes } from './http/cluster.ts';
import { authRoutes } from './http/auth.ts';
import { createCommsLive, withDraftSeeding } from './comms/live.ts';
import { templateRoutes } from './http/comm-templates.ts';
import { createLiveMirror } from './incidents/live.ts';
import { directoryRoutes } from './http/directory.ts';
import { drillRunRoutes } from './http/drill-runs.ts';
import { drillScenarioRoutes } from './http/drill-scenarios.ts';
import { healthRoutes } from './http/health.ts';
import { incidentApp } from './http/incident-app.ts';
import { inviteRoutes } from './http/invites.ts';
import { meRoutes } from './http/me.ts';
import { metricsRoutes } from './http/metrics.ts';
import { patternRoutes } from './http/patterns.ts';
import { ReplayService } from './replay/service.ts';
import { reviewRoutes } from './http/reviews.ts';
import { runbookRoutes } from './http/runbooks.ts';
import { searchRoutes } from './http/search.ts';
import { originCheck } from './http/origin-check.ts';
import { openApiRoutes } from './http/openapi/routes.ts';
import { incidentPageRedirects } from './http/page-redirects.ts';
import { servePages, type PagesHandler } from './http/pages.ts';
import { requestLog } from './http/request-log.ts';
import { limitBody } from './http/body-limit.ts';
import { securityHeaders } from './http/security-headers.ts';
import { serviceRoutes } from './http/services.ts';
import { statusPublicRoutes } from './http/status-public.ts';
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
    .route('/admin/cluster', clusterRoutes(deps))
    .route('/admin/tokens', adminTokenRoutes(deps))
    .route('/admin/webhooks', webhookRoutes(deps))
    .route('/admin/templates', templateRoutes(deps))
    .route('/incidents', incidentApp(deps, { incidentLive, commsLive, replay: deps.replay ?? new ReplayService({ sql: deps.sql, log: deps.log }) }))
    .route('/alerts', alertRoutes(deps, incidentLive))
    .route('/admin/alert-rules', alertRuleRoutes(deps))
    .route('/services', serviceRoutes(deps))
    .route('/users', directoryRoutes(deps))
    .route('/metrics', metricsRoutes(deps))
    .route('/patterns', patternRoutes(deps))
    .route('/reviews', reviewRoutes(deps))
    .route('/search', searchRoutes(deps))
    .route('/runbooks', runbookRoutes(deps))
    .route('/drills/scenarios', drillScenarioRoutes(deps))
    .route('/drills/runs', drillRunRoutes(deps, incidentLive))
    .route('/action-items', actionItemRoutes(deps))
    .route('/postmortems', overdueReviewRoutes(deps))
    // Reads the finished router on first request, so it documents every route above, itself included.
    .route('/', openApiRoutes(deps, (): readonly RouterRoute[] => api.routes.map((r) => ({ ...r, path: `/api${r.path}` }))))
    .all('*', () => {
      throw notFound('No such API route.');
    });

  const app = new Hono<AppEnv>()
    .use(requestLog(deps.log), securityHeaders(deps.config), limitBody())
    .route('/', healthRoutes(deps))
    .route('/api', api)
    .route('/status', statusPublicRoutes(deps))
    .use('/incidents/*', incidentPageRedirects)
    .get('/collab/*', (c) => c.json({ error: { code: 'upgrade_required', message: 'Connect with a websocket.' } }, 426));

  if (pages) app.all('*', servePages(pages, deps.config));
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
