/**
 * The JSON shapes the API answers with, as zod schemas registered by name
 * (`.meta({ id })` → `#/components/schemas/<id>`): the one description of
 * each shape. The OpenAPI document is generated from them, the view functions
 * in server/http are typed with their `z.infer` (so a view that drifts does
 * not compile), and the browser's types in src/lib are the same `z.infer`
 * (type-only imports: no schema code is bundled).
 * tests/integration/openapi-responses.test.ts also parses real responses with
 * them, for what the types cannot see (formats, extra fields).
 */
import { z } from 'zod';
import { AUDIENCES } from '../audiences.ts';
import { INCIDENT_STATES, PARTICIPANT_KINDS, ROLE_NAMES } from '../incident-vocabulary.ts';
import { HYPOTHESIS_STATUSES, TIMELINE_KINDS } from '../war-room-doc.ts';

const instant = z.iso.datetime();
export const severity = z.literal([1, 2, 3, 4]).meta({ description: '1 = SEV1 (worst) … 4 = SEV4' });
const audience = z.enum(AUDIENCES);

export const ErrorResponse = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({ description: 'Stable machine-readable code, e.g. invalid_input, not_found, insufficient_scope' }),
      message: z.string().meta({ description: 'What went wrong, in words a person can act on' }),
      field: z.string().optional().meta({ description: 'The offending input field (dot path), for 400 invalid_input' }),
    }),
  })
  .meta({ id: 'ErrorResponse', description: 'Every error, whatever the status.' });

export const Ok = z.strictObject({ ok: z.literal(true) }).meta({ id: 'Ok' });

export const PersonRef = z.strictObject({ id: z.string(), displayName: z.string() }).meta({ id: 'PersonRef' });

export const User = z
  .strictObject({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    role: z.enum(['admin', 'member']),
    active: z.boolean(),
    createdAt: instant,
  })
  .meta({ id: 'User' });

export const Session = z
  .strictObject({
    id: z.string(),
    current: z.boolean(),
    createdAt: instant,
    lastSeenAt: instant,
    expiresAt: instant,
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
  })
  .meta({ id: 'Session' });

export const Invite = z
  .strictObject({
    id: z.string(),
    email: z.string().nullable(),
    createdBy: z.string(),
    createdAt: instant,
    expiresAt: instant,
    usedAt: instant.nullable(),
    usedBy: z.string().nullable(),
    revokedAt: instant.nullable(),
    status: z.enum(['pending', 'used', 'revoked', 'expired']),
  })
  .meta({ id: 'Invite' });

/** A new invite with the link to send; the link is shown only in this answer. */
export const InviteLink = z.object({ invite: Invite, url: z.string() });

/** One process serving Warroom, as the cluster page lists it. */
export const Process = z.object({
  node: z.string(),
  pid: z.number(),
  startedAt: z.string(),
  seenAt: z.string(),
  rooms: z.number(),
  connections: z.number(),
  redis: z.enum(['up', 'down']),
  stopping: z.boolean(),
});

const roles = z.strictObject(Object.fromEntries(ROLE_NAMES.map((role) => [role, PersonRef.nullable()])) as Record<(typeof ROLE_NAMES)[number], z.ZodNullable<typeof PersonRef>>);

const incidentFields = {
  id: z.string(),
  number: z.number().int(),
  ref: z.string().meta({ description: 'INC-<number>; any route taking {ref} also accepts the bare number' }),
  title: z.string(),
  publicTitle: z.string().nullable(),
  severity,
  state: z.enum(INCIDENT_STATES),
  summary: z.string(),
  services: z.array(z.string()),
  private: z.boolean(),
  drill: z.boolean(),
  startedAt: instant,
  detectedAt: instant.nullable(),
  declaredAt: instant,
  acknowledgedAt: instant.nullable(),
  mitigatedAt: instant.nullable(),
  resolvedAt: instant.nullable(),
  closedAt: instant.nullable(),
  updatedAt: instant,
  docId: z.string().meta({ description: 'The live war-room document (websocket /collab/<docId>)' }),
  declaredBy: PersonRef.nullable(),
  roles,
};

export const IncidentSummary = z
  .strictObject({ ...incidentFields, participantCount: z.number().int() })
  .meta({ id: 'IncidentSummary', description: 'An incident as listed.' });

export const Participant = z
  .strictObject({ id: z.string(), displayName: z.string(), kind: z.enum(PARTICIPANT_KINDS), joinedAt: instant })
  .meta({ id: 'Participant' });

export const Incident = z
  .strictObject({
    ...incidentFields,
    participants: z.array(Participant),
    me: z
      .strictObject({
        access: z.enum(['write', 'read']),
        kind: z.enum(PARTICIPANT_KINDS).nullable(),
        canCommand: z.boolean(),
        isAdmin: z.boolean(),
        canClaim: z.boolean(),
        canAddParticipants: z.boolean(),
      })
      .meta({ description: 'What the caller may do with this incident' }),
  })
  .meta({ id: 'Incident', description: 'One incident as the caller sees it.' });

export const IncidentEnvelope = z.strictObject({ incident: Incident }).meta({ id: 'IncidentEnvelope' });

export const IncidentEvent = z
  .strictObject({
    id: z.number().int(),
    kind: z.enum(['declared', 'acknowledged', 'state', 'severity', 'role', 'title', 'participant', 'details', 'status_page', 'postmortem']),
    actor: PersonRef.nullable(),
    at: instant,
    data: z.record(z.string(), z.unknown()).meta({ description: 'The change, by kind (from/to, role, user …) and who made it' }),
    message: z.string().meta({ description: 'One line for people, as shown in the timeline' }),
  })
  .meta({ id: 'IncidentEvent', description: 'One entry of the incident’s audit trail.' });

export const Update = z
  .strictObject({
    id: z.string(),
    incidentRef: z.string(),
    audience,
    bodyMarkdown: z.string(),
    bodyHtml: z.string(),
    author: PersonRef,
    publishedAt: instant,
    incidentState: z.enum(INCIDENT_STATES),
    incidentTitle: z.string(),
    severity,
  })
  .meta({ id: 'Update', description: 'A published stakeholder update (immutable).' });

export const Cadence = z
  .strictObject({
    audience,
    intervalMinutes: z.number().int().nullable(),
    defaultIntervalMinutes: z.number().int().nullable(),
    overridden: z.boolean(),
    lastPublishedAt: instant.nullable(),
    nextDueAt: instant.nullable(),
    prompted: z.boolean().meta({ description: 'A state change since the last update: one is due now (not yet overdue)' }),
    deadlineAt: instant.nullable().meta({ description: 'When the timer runs out and the update becomes overdue; null without a timer' }),
    state: z.enum(['ok', 'soon', 'due', 'overdue']),
  })
  .meta({ id: 'Cadence', description: 'When the next update to one audience is due.' });

export const CadenceList = z
  .strictObject({ cadence: z.array(Cadence), canCommunicate: z.boolean(), now: instant })
  .meta({ id: 'CadenceList' });

export const StatusPage = z
  .strictObject({
    public: z.boolean(),
    slug: z.string().nullable(),
    url: z.string().nullable(),
    publicTitle: z.string(),
    publicSince: instant.nullable(),
    canChange: z.boolean(),
  })
  .meta({ id: 'StatusPage' });

const person = z.strictObject({ id: z.string(), name: z.string() });

export const TimelineEntry = z
  .strictObject({
    id: z.string(),
    at: instant,
    kind: z.enum(TIMELINE_KINDS),
    text: z.string(),
    author: person.nullable(),
    hypothesisId: z.string().nullable(),
    auto: z.boolean().meta({ description: 'Written by the server from an incident event' }),
    eventId: z.number().int().nullable(),
    createdAt: instant,
  })
  .meta({ id: 'TimelineEntry', description: 'One entry of the war room’s timeline (the live document).' });

export const Hypothesis = z
  .strictObject({
    id: z.string(),
    statement: z.string(),
    status: z.enum(HYPOTHESIS_STATUSES),
    owner: person.nullable(),
    findings: z.string(),
    evidence: z.array(z.strictObject({ id: z.string(), text: z.string(), url: z.string().nullable(), by: person, at: instant })),
    createdBy: person,
    createdAt: instant,
    updatedBy: person,
    updatedAt: instant,
  })
  .meta({ id: 'Hypothesis' });

export const WebhookEndpoint = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    audiences: z.array(audience),
    format: z.enum(['slack', 'json']),
    active: z.boolean(),
    createdBy: z.string().nullable(),
    createdAt: instant,
    updatedAt: instant,
    pending: z.number().int(),
    failed: z.number().int(),
    lastDeliveredAt: instant.nullable(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const WebhookDelivery = z
  .looseObject({
    id: z.string(),
    endpointId: z.string(),
    updateId: z.string(),
    summary: z.string(),
    test: z.boolean(),
    status: z.enum(['pending', 'delivering', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: instant.nullable(),
    lastAttemptAt: instant.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: instant,
    deliveredAt: instant.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export const Template = z
  .strictObject({
    audience,
    severity: severity.nullable(),
    body: z.string(),
    custom: z.boolean(),
    updatedBy: PersonRef.nullable(),
    updatedAt: instant.nullable(),
  })
  .meta({ id: 'Template' });

export const TemplateList = z
  .strictObject({ templates: z.array(Template), placeholders: z.record(z.string(), z.string()) })
  .meta({ id: 'TemplateList' });

export const ApiToken = z
  .strictObject({
    id: z.string(),
    prefix: z.string().meta({ description: 'The start of the token, to recognise it in lists; never enough to use it' }),
    name: z.string(),
    scopes: z.array(z.enum(['incidents:read', 'incidents:write', 'alerts:write', 'updates:publish'])),
    kind: z.enum(['personal', 'service']).meta({ description: 'personal acts as its owner; service acts as its own service account' }),
    user: PersonRef.meta({ description: 'The account whose permissions the token carries' }),
    createdAt: instant,
    lastUsedAt: instant.nullable(),
    expiresAt: instant.nullable(),
    revokedAt: instant.nullable(),
    status: z.enum(['active', 'expired', 'revoked']),
  })
  .meta({ id: 'ApiToken', description: 'An API token, without its secret.' });

export const Alert = z
  .strictObject({
    id: z.string(),
    source: z.string().meta({ description: 'alertmanager, or the source named in a generic alert' }),
    fingerprint: z.string().meta({ description: 'Repeats of the same alert share it and update one alert' }),
    status: z.enum(['firing', 'resolved']),
    name: z.string(),
    summary: z.string(),
    severity: z.string().nullable(),
    service: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    url: z.string().nullable(),
    startsAt: instant,
    endsAt: instant.nullable(),
    count: z.number().int().meta({ description: 'How many times it was received' }),
    firstSeenAt: instant,
    lastSeenAt: instant,
    resolvedAt: instant.nullable(),
    incidentRef: z.string().nullable().meta({ description: 'The incident it is attached to, if any' }),
    attachedAt: instant.nullable(),
  })
  .meta({ id: 'Alert', description: 'An alert from monitoring, deduplicated by fingerprint.' });

export const AlertIngestSummary = z
  .strictObject({
    received: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    attached: z.number().int(),
    declared: z.number().int(),
    inbox: z.number().int(),
    incidents: z.array(z.string()).meta({ description: 'Refs of the incidents the alerts landed in' }),
  })
  .meta({ id: 'AlertIngestSummary', description: 'What happened to the alerts of one delivery.' });

export const AlertRule = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    position: z.number().int().meta({ description: 'Rules apply in order; the first match wins' }),
    matchers: z.array(z.strictObject({ key: z.string(), value: z.string() })).meta({ description: 'All must equal the alert’s labels; none matches every alert' }),
    action: z.enum(['attach', 'declare', 'inbox']),
    severity: severity.nullable().meta({ description: 'Of the incidents a declare rule opens' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'AlertRule' });
