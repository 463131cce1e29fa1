/**
 * Everything under /api/incidents, composed from the resource files: the
 * list and the vocabulary first, then one door (`resolveIncident`) in front
 * of every /:ref route, so no resource re-reads the reference or re-decides
 * who may see a private incident.
 */
import { Hono } from 'hono';
import type { CommsLive } from '../comms/live.ts';
import type { LiveMirror } from '../incidents/live.ts';
import type { ReplayService } from '../replay/service.ts';
import { incidentAlertRoutes } from './alerts.ts';
import { requireUser } from './auth-middleware.ts';
import { commsRoutes } from './comms.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { incidentDrillRoutes } from './drill-runs.ts';
import { resolveIncident } from './incident-access.ts';
import { incidentListRoutes, incidentRoutes } from './incidents.ts';
import { postmortemRoutes } from './postmortems.ts';
import { replayRoutes } from './replay.ts';
import { incidentRunbookRoutes } from './runbooks.ts';
import { similarRoutes } from './search.ts';
import { statusPageRoutes } from './status-page.ts';
import { timelineRoutes } from './timeline.ts';

export interface IncidentServices {
  /** Mirrors incident events into war rooms (and seeds drafts, drafts postmortems). */
  incidentLive: LiveMirror;
  commsLive: CommsLive;
  replay: ReplayService;
}

export function incidentApp(deps: AppDeps, { incidentLive, commsLive, replay }: IncidentServices) {
  return (
    new Hono<AppEnv>()
      .use(requireUser)
      // Before the door: "meta" is not an incident reference.
      .route('/', incidentListRoutes(deps, incidentLive))
      // `/:ref/*` covers `/:ref` itself.
      .use('/:ref/*', resolveIncident(deps))
      .route('/', incidentRoutes(deps, incidentLive))
      .route('/', commsRoutes(deps, commsLive))
      .route('/', statusPageRoutes(deps))
      .route('/', replayRoutes(deps, replay))
      .route('/', incidentAlertRoutes(deps))
      .route('/', similarRoutes(deps))
      .route('/', timelineRoutes(deps))
      .route('/', postmortemRoutes(deps))
      .route('/', incidentRunbookRoutes(deps))
      .route('/', incidentDrillRoutes(deps))
  );
}
