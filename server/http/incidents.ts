import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { actorOf } from './actor.ts';
import {
  acknowledgeIncident,
  addParticipant,
  assignRole,
  changeSeverity,
  changeState,
  claimRole,
  declareIncident,
  joinIncident,
  type Actor,
  type CommandResult,
} from '../incidents/commands.ts';
import { updateDetails } from '../incidents/details.ts';
import { listEvents } from '../incidents/events.ts';
import { ACTIVE_STATES, allowedTransitions, INCIDENT_STATES, type IncidentState } from '../incidents/lifecycle.ts';
import type { LiveMirror } from '../incidents/live.ts';
import { PARTICIPANT_KINDS, ROLE_NAMES } from '../incidents/permissions.ts';
import { listParticipants } from '../incidents/repo.ts';
import { listIncidents } from '../incidents/search.ts';
import { SEVERITIES, type Severity } from '../shared/severity.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { failed } from './errors.ts';
import type { IncidentEnv } from './incident-access.ts';
import { toEventView, toIncidentSummary, toIncidentView } from './incident-views.ts';
import { IncidentEnvelope, IncidentEvent, IncidentSummary } from '../shared/api/components.ts';
import { describe } from './openapi/describe.ts';
import { id } from './schemas.ts';
import { parse, readJson } from './validate.ts';

const severity = z.number().int().min(1, 'must be 1 (SEV1) to 4 (SEV4)').max(4, 'must be 1 (SEV1) to 4 (SEV4)').transform((n) => n as Severity);
const state = z.enum(INCIDENT_STATES, { error: `must be one of ${INCIDENT_STATES.join(', ')}` });
const role = z.enum(ROLE_NAMES, { error: `must be one of ${ROLE_NAMES.join(', ')}` });
const kind = z.enum(PARTICIPANT_KINDS, { error: 'must be responder or observer' });
const title = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const summary = z.string().trim().max(5000, 'must be at most 5000 characters');
const service = z.string().trim().toLowerCase().min(1, 'must not be empty').max(60, 'must be at most 60 characters');
// Blank tags are dropped rather than refused: a trailing comma in the picker is not an error.
const services = z.array(z.string().trim().toLowerCase().max(60, 'must be at most 60 characters')).max(20, 'at most 20 services');
const instant = z.iso.datetime({ offset: true, error: 'must be an ISO date-time like 2026-03-01T14:05:00Z' }).transform((s) => new Date(s));

const declareBody = z.object({
  title,
  severity,
  summary: summary.optional(),
  services: services.optional(),
  private: z.boolean().optional(),
  drill: z.boolean().optional(),
  commanderId: id.optional(),
  startedAt: instant.optional(),
  detectedAt: instant.optional(),
});
const detailsBody = z.object({
  title: title.optional(),
  summary: summary.optional(),
  services: services.optional(),
  private: z.boolean().optional(),
  startedAt: instant.optional(),
  detectedAt: instant.nullable().optional(),
  acknowledgedAt: instant.optional(),
  mitigatedAt: instant.optional(),
  resolvedAt: instant.optional(),
});

const joinBody = z.object({ as: kind.default('responder') });
const stateBody = z.object({ state });
const severityBody = z.object({ severity });
const assignRoleBody = z.object({ role, userId: id.nullable() });
const claimRoleBody = z.object({ role });
const participantBody = z.object({ userId: id, kind: kind.default('responder') });

// "active" and "recent" are the list page's two groups; a comma list picks exact states.
const STATE_GROUPS: Record<string, readonly IncidentState[]> = { active: ACTIVE_STATES, recent: ['resolved', 'closed'] };
const listQuery = z.object({
  state: z
    .string()
    .meta({ description: `active, recent, or a comma list of ${INCIDENT_STATES.join(', ')}` })
    .optional()
    .transform((value, ctx) => {
      if (!value) return undefined;
      if (STATE_GROUPS[value]) return STATE_GROUPS[value];
      const states = value.split(',');
      if (states.every((s) => (INCIDENT_STATES as readonly string[]).includes(s))) return states as IncidentState[];
      ctx.addIssue({ code: 'custom', message: `must be active, recent or one of ${INCIDENT_STATES.join(', ')}` });
      return z.NEVER;
    }),
  severity: z
    .string()
    .regex(/^[1-4](,[1-4])*$/, 'must be 1 to 4, or a list like 1,2')
    .meta({ description: 'One severity or a comma list, e.g. 1,2' })
    .transform((s) => s.split(',').map(Number) as Severity[])
    .optional(),
  service: service.optional(),
  q: z.string().max(200, 'must be at most 200 characters').meta({ description: 'Words to find in the title, summary and services' }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const tags = ['Incidents'];
const changed = { 200: { description: 'The incident after the change', schema: IncidentEnvelope } };
// What /api/docs and /api/openapi.json say about each route below (server/http/openapi/describe.ts).
const docs = {
  list: describe({
    tags,
    scope: 'incidents:read',
    summary: 'List incidents',
    description: 'Newest first. Private incidents appear only to their participants and admins.',
    query: listQuery,
    responses: { 200: { description: 'One page of incidents and the total', schema: z.object({ incidents: z.array(IncidentSummary), total: z.number().int() }) } },
  }),
  declare: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Declare an incident',
    description: 'The caller becomes commander unless commanderId names someone else. Opens the war room and seeds the update drafts.',
    body: declareBody,
    responses: { 201: { description: 'The new incident', schema: IncidentEnvelope } },
  }),
  meta: describe({
    tags,
    scope: 'incidents:read',
    summary: 'Severities, states with their allowed transitions, and role names',
    responses: {
      200: {
        description: 'The vocabulary of incidents',
        schema: z.object({
          severities: z.array(z.object({ level: z.number().int(), label: z.string(), description: z.string() })),
          states: z.array(z.object({ name: z.enum(INCIDENT_STATES), transitions: z.array(z.enum(INCIDENT_STATES)), active: z.boolean() })),
          roles: z.array(role),
        }),
      },
    },
  }),
  get: describe({ tags, scope: 'incidents:read', summary: 'Get an incident', responses: { 200: { description: 'The incident as the caller sees it', schema: IncidentEnvelope } } }),
  events: describe({
    tags,
    scope: 'incidents:read',
    summary: 'The incident’s audit trail',
    responses: { 200: { description: 'Every recorded change, oldest first', schema: z.object({ events: z.array(IncidentEvent) }) } },
  }),
  update: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Change title, summary, services, privacy or times',
    description:
      'Commander or admin, while the incident is not closed. Every milestone can be corrected (mitigatedAt and resolvedAt once reached); ' +
      'times keep their order: started ≤ detected ≤ declared ≤ acknowledged, started ≤ mitigated ≤ resolved. Each correction is recorded with its old and new value. Unknown fields are refused.',
    body: detailsBody,
    responses: changed,
    errors: [403, 409],
  }),
  acknowledge: describe({
    tags,
    scope: 'incidents:write',
    summary: 'Acknowledge: take the incident',
    description: 'The first person to take an incident (this, joining as a responder, claiming a role or commanding it) acknowledges it and becomes a responder. Signed-in people only: API tokens do not acknowledge.',
    responses: changed,
    errors: [403, 409],
  }),
  join: describe({ tags, scope: 'incidents:write', summary: 'Join as responder or observer', description: 'Idempotent. Anyone who can see the incident; a private one only lets in people already added.', body: joinBody, responses: changed, errors: [409] }),
  state: describe({ tags, scope: 'incidents:write', summary: 'Move to another state', description: 'Commander or admin; only the transitions /api/incidents/meta lists.', body: stateBody, responses: changed, errors: [403, 409] }),
  severity: describe({ tags, scope: 'incidents:write', summary: 'Change the severity', description: 'Commander or admin.', body: severityBody, responses: changed, errors: [403, 409] }),
  assignRole: describe({ tags, scope: 'incidents:write', summary: 'Assign or clear a role', description: 'Commander or admin; userId null clears the role.', body: assignRoleBody, responses: changed, errors: [403, 409] }),
  claimRole: describe({ tags, scope: 'incidents:write', summary: 'Take an empty role yourself', description: 'Any responder; an observer must join as a responder first.', body: claimRoleBody, responses: changed, errors: [403, 409] }),
  addParticipant: describe({ tags, scope: 'incidents:write', summary: 'Add a person as responder or observer', description: 'Commander or admin: the only way into a private incident.', body: participantBody, responses: changed, errors: [403, 409] }),
};

/** Turns a command's result into the response, mirroring its events into the war room first. */
async function respond<E extends AppEnv>(c: Context<E>, live: LiveMirror, actor: Actor, result: CommandResult, status: 200 | 201 = 200) {
  if (!result.ok) throw failed(result);
  await live.publish(result.incident, result.events);
  if (result.events.length > 0) {
    c.var.log.info({ incidentId: result.incident.id, events: result.events.map((e) => e.kind) }, 'incident changed');
  }
  return c.json({ incident: toIncidentView(result.incident, result.participants, actor) }, status);
}

/** The incident list, declaring, and the vocabulary: the routes under /incidents that name no incident. */
export function incidentListRoutes({ sql }: AppDeps, live: LiveMirror) {
  return new Hono<AppEnv>()
    .get('/', docs.list, async (c) => {
      const query = parse(listQuery, c.req.query());
      const actor = actorOf(c);
      const { incidents, total } = await listIncidents(sql, actor, { ...query, states: query.state, severities: query.severity });
      return c.json({ incidents: incidents.map(toIncidentSummary), total });
    })
    .post('/', docs.declare, async (c) => {
      const body = await readJson(c, declareBody);
      const actor = actorOf(c);
      return respond(c, live, actor, await declareIncident(sql, actor, body), 201);
    })
    // Registered before /:ref so "meta" is never read as an incident reference.
    .get('/meta', docs.meta, (c) =>
      c.json({
        severities: SEVERITIES,
        states: INCIDENT_STATES.map((name) => ({ name, transitions: allowedTransitions(name), active: ACTIVE_STATES.includes(name) })),
        roles: ROLE_NAMES,
      }),
    );
}

/** One incident: its lifecycle, roles and participants. Behind `resolveIncident` (incident-access.ts). */
export function incidentRoutes({ sql }: AppDeps, live: LiveMirror) {
  return new Hono<IncidentEnv>()
    .get('/:ref', docs.get, async (c) => {
      const { incident } = c.var.seen;
      return c.json({ incident: toIncidentView(incident, await listParticipants(sql, incident.id), actorOf(c)) });
    })
    .get('/:ref/events', docs.events, async (c) => c.json({ events: (await listEvents(sql, c.var.seen.incident.id)).map(toEventView) }))
    .patch('/:ref', docs.update, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, detailsBody);
      return respond(c, live, actor, await updateDetails(sql, actor, c.var.seen.incident.number, body));
    })
    .post('/:ref/join', docs.join, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, joinBody);
      return respond(c, live, actor, await joinIncident(sql, actor, c.var.seen.incident.number, body.as));
    })
    .post('/:ref/acknowledge', docs.acknowledge, async (c) => {
      const actor = actorOf(c);
      return respond(c, live, actor, await acknowledgeIncident(sql, actor, c.var.seen.incident.number));
    })
    .post('/:ref/state', docs.state, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, stateBody);
      return respond(c, live, actor, await changeState(sql, actor, c.var.seen.incident.number, body.state));
    })
    .post('/:ref/severity', docs.severity, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, severityBody);
      return respond(c, live, actor, await changeSeverity(sql, actor, c.var.seen.incident.number, body.severity));
    })
    .post('/:ref/roles', docs.assignRole, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, assignRoleBody);
      return respond(c, live, actor, await assignRole(sql, actor, c.var.seen.incident.number, body.role, body.userId));
    })
    .post('/:ref/roles/claim', docs.claimRole, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, claimRoleBody);
      return respond(c, live, actor, await claimRole(sql, actor, c.var.seen.incident.number, body.role));
    })
    .post('/:ref/participants', docs.addParticipant, async (c) => {
      const actor = actorOf(c);
      const body = await readJson(c, participantBody);
      return respond(c, live, actor, await addParticipant(sql, actor, c.var.seen.incident.number, body.userId, body.kind));
    });
}
