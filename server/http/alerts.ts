import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { actorOf } from './actor.ts';
import { currentUser, requireUser } from './auth-middleware.ts';
import { fromAlertmanager, alertmanagerPayload } from '../alerts/alertmanager.ts';
import { fromGeneric, genericAlert } from '../alerts/generic.ts';
import { announce, ingestAlerts, type AlertDeps } from '../alerts/ingest.ts';
import type { IncomingAlert } from '../alerts/incoming.ts';
import { findAlert, listIncidentAlerts, listInbox, type StoredAlert } from '../alerts/repo.ts';
import { declareFromAlert } from '../alerts/routing.ts';

import type { LiveMirror } from '../incidents/live.ts';
import { findIncidentById } from '../incidents/repo.ts';
import { standingIn } from '../incidents/visibility.ts';
import type { Severity } from '../shared/severity.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { ApiError, failed, notFound } from './errors.ts';
import { incidentRef } from './incident-views.ts';
import type { IncidentEnv } from './incident-access.ts';
import { id } from './schemas.ts';
import { Alert as AlertSchema, AlertIngestSummary } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { parse, readJson } from './validate.ts';
import type * as api from '../shared/api/components.ts';

// Alertmanager groups can be large (max_alerts is unlimited by default); a megabyte is thousands of alerts.
export const MAX_ALERT_BODY_BYTES = 1024 * 1024;

const limitBody = bodyLimit({
  maxSize: MAX_ALERT_BODY_BYTES,
  onError: () => {
    // Refused before the body is read, so the connection cannot carry another request: close it.
    throw new ApiError(413, 'payload_too_large', 'The alert payload is larger than 1 MiB. Lower max_alerts in the Alertmanager webhook config or split the batch.', {
      headers: { connection: 'close' },
    });
  },
});

const declareBody = z.object({
  title: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  severity: z.number().int().min(1, 'must be 1 (SEV1) to 4 (SEV4)').max(4, 'must be 1 (SEV1) to 4 (SEV4)').transform((n) => n as Severity),
  summary: z.string().trim().max(5000, 'must be at most 5000 characters').optional(),
  private: z.boolean().optional(),
});

const tags = ['Alerts'];
const ingested = { 200: { description: 'What happened to each alert of the delivery', schema: AlertIngestSummary } };
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  alertmanager: describe({
    tags,
    scope: 'alerts:write',
    summary: 'Receive a Prometheus Alertmanager webhook',
    description:
      'Point an Alertmanager webhook_config here, with the token as its authorization credentials. The payload is taken as Alertmanager sends it (version 4). ' +
      'An API token with alerts:write, or an admin’s session (members’ sessions are refused with 403). At most 1 MiB.',
    body: alertmanagerPayload,
    responses: ingested,
    errors: [403, 413],
  }),
  generic: describe({
    tags,
    scope: 'alerts:write',
    summary: 'Receive one alert from any other monitoring tool',
    description: 'Alerts are deduplicated by source + fingerprint; the rules decide whether it attaches, declares or waits in the inbox. Same auth as the Alertmanager route.',
    body: genericAlert,
    responses: ingested,
    errors: [403, 413],
  }),
  inbox: describe({ tags, scope: 'incidents:read', summary: 'The alert inbox', description: 'Alerts no rule took to an incident.', responses: { 200: { description: 'Newest first', schema: z.object({ alerts: z.array(AlertSchema) }) } } }),
  declare: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Declare an incident from an inbox alert',
    description: 'The caller becomes commander; the title defaults to the alert’s.',
    body: declareBody,
    responses: {
      201: { description: 'The new incident', schema: z.object({ incident: z.object({ id: z.string(), number: z.number().int(), ref: z.string() }) }) },
    },
    errors: [409],
  }),
  forIncident: describe({
    tags,
    scope: 'incidents:read',
    summary: 'Alerts attached to an incident',
    responses: { 200: { description: 'The war room’s Alerts panel', schema: z.object({ alerts: z.array(AlertSchema) }) } },
  }),
};

export function toAlertView(alert: StoredAlert & { attachedAt?: Date }, incidentNumber?: number | null): z.infer<typeof api.Alert> {
  return {
    id: alert.id,
    source: alert.source,
    fingerprint: alert.fingerprint,
    status: alert.status,
    name: alert.name,
    summary: alert.summary,
    severity: alert.severity,
    service: alert.service,
    labels: alert.labels,
    url: alert.url,
    startsAt: alert.startsAt.toISOString(),
    endsAt: alert.endsAt?.toISOString() ?? null,
    count: alert.count,
    firstSeenAt: alert.firstSeenAt.toISOString(),
    lastSeenAt: alert.lastSeenAt.toISOString(),
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    // The incident this listing is about (null in the inbox).
    incidentRef: incidentNumber ? incidentRef(incidentNumber) : null,
    attachedAt: alert.attachedAt?.toISOString() ?? null,
  };
}

/**
 * Ingestion is for machines: an API token with alerts:write, or an admin's
 * browser session (testing a rule by hand). A member's session may not feed
 * alerts that can declare incidents in everyone's name.
 */
// The alerts:write scope itself is checked for tokens by the auth middleware (from the route's describe()).
const requireIngestion: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = currentUser(c).user;
  if (user.role !== 'admin' && c.var.tokenKind === null) {
    throw new ApiError(403, 'forbidden', 'Only admins can post alerts from a browser session; monitoring should use an API token with the alerts:write scope.');
  }
  // A personal token acts as its owner and never grants more: a member's token may not post what their session may not.
  if (user.role !== 'admin' && c.var.tokenKind === 'personal') {
    throw new ApiError(403, 'forbidden', 'Only admins’ tokens and service tokens can post alerts; ask an admin for a service token with the alerts:write scope.');
  }
  await next();
};

/** Alert ingestion (Alertmanager and the generic form) and the inbox of alerts no rule took to an incident. */
export function alertRoutes({ sql, log, live }: AppDeps, mirror: LiveMirror) {
  const deps: AlertDeps = { sql, mirror, docs: live ?? null, log };

  async function ingest(c: Context<AppEnv>, source: string, alerts: IncomingAlert[]) {
    const started = performance.now();
    const summary = await ingestAlerts(deps, actorOf(c), alerts);
    // One line per delivery, never per alert: a storm must not flood the log either.
    c.var.log.info({ source, ...summary, ms: Math.round(performance.now() - started) }, 'alerts received');
    return c.json(summary, 200);
  }

  return new Hono<AppEnv>()
    .post('/alertmanager', docs.alertmanager, requireIngestion, limitBody, async (c) => {
      const payload = await readJson(c, alertmanagerPayload);
      return ingest(c, 'alertmanager', fromAlertmanager(payload));
    })
    .post('/', docs.generic, requireIngestion, limitBody, async (c) => {
      const body = await readJson(c, genericAlert);
      return ingest(c, body.source, [fromGeneric(body)]);
    })
    .get('/', docs.inbox, requireUser, async (c) => c.json({ alerts: (await listInbox(sql)).map((a) => toAlertView(a)) }))
    .post('/:id/declare', docs.declare, requireUser, async (c) => {
      const alertId = parse(id, c.req.param('id'));
      const body = await readJson(c, declareBody);
      const actor = actorOf(c);
      const { alert, landing } = await sql.begin(async (tx) => {
        const [locked] = await tx<{ id: string }>`select id from alerts where id = ${alertId} for update`;
        const alert = locked ? await findAlert(tx, alertId) : null;
        if (!alert) throw notFound('No such alert.');
        if (alert.incidentId) {
          // An alert inside a private incident is part of it: to an outsider, neither exists.
          const seen = await standingIn(tx, actor, await findIncidentById(tx, alert.incidentId));
          if (!seen) throw notFound('No such alert.');
          throw new ApiError(409, 'already_attached', `This alert is already in ${incidentRef(seen.incident.number)}.`);
        }
        if (alert.status !== 'firing') throw new ApiError(409, 'resolved', 'This alert has resolved; declare an incident from the incidents page if it is still needed.');
        const declared = await declareFromAlert(tx, actor, alert, body);
        if (!declared.ok) throw failed(declared);
        return { alert: { ...alert, incidentId: declared.landing.incident.id }, landing: declared.landing };
      });
      await announce(deps, landing, alert);
      c.var.log.info({ alertId, incidentId: landing.incident.id }, 'incident declared from an alert');
      return c.json({ incident: { id: landing.incident.id, number: landing.incident.number, ref: incidentRef(landing.incident.number) } }, 201);
    });
}

/** GET /api/incidents/:ref/alerts: the war room's Alerts panel; visible exactly like the incident. */
export function incidentAlertRoutes({ sql }: AppDeps) {
  return new Hono<IncidentEnv>().get('/:ref/alerts', docs.forIncident, async (c) => {
    const { seen } = c.var;
    const alerts = await listIncidentAlerts(sql, seen.incident.id);
    return c.json({ alerts: alerts.map((a) => toAlertView(a, seen.incident.number)) });
  });
}
