/**
 * Incident events: one row per change, with the old and new values and the
 * display names at the time, and the sentence the timeline shows for it.
 */
import type { Sql } from '../db/sql.ts';
import { formatUtcDateTime } from '../shared/utc-format.ts';
import type { IncidentState } from './lifecycle.ts';
import { MILESTONE_FIELDS, type MilestoneField } from '../shared/milestones.ts';
import type { ParticipantKind, RoleName } from './permissions.ts';
import { severityLabel, type Severity } from '../shared/severity.ts';

/** A person as they were called when the event happened. */
export interface Named {
  id: string;
  name: string;
}

export type DetailField = 'summary' | 'services' | 'private' | MilestoneField;

export interface DetailChange {
  field: DetailField;
  from: string | string[] | boolean | null;
  to: string | string[] | boolean | null;
}

export type EventChange =
  | { kind: 'declared'; title: string; severity: Severity; commander: Named; private: boolean; drill: boolean }
  | { kind: 'acknowledged' }
  | { kind: 'state'; from: IncidentState; to: IncidentState }
  | { kind: 'severity'; from: Severity; to: Severity }
  | { kind: 'role'; role: RoleName; from: Named | null; to: Named | null; claimed: boolean }
  | { kind: 'title'; from: string; to: string }
  | { kind: 'participant'; user: Named; from: ParticipantKind | null; to: ParticipantKind }
  | { kind: 'details'; changes: DetailChange[] }
  | { kind: 'status_page'; public: boolean; wasPublic: boolean; publicTitle: string }
  // The postmortem's review (server/postmortem/commands.ts); kept out of the war-room timeline.
  | { kind: 'postmortem'; action: PostmortemAction; version?: number; reviewDueAt?: string };

export type PostmortemAction = 'submitted' | 'sent_back' | 'published' | 'revised' | 'due_date';

export type EventKind = EventChange['kind'];

type WithData<C> = C extends { kind: infer K } ? { kind: K; data: Omit<C, 'kind'> & { by: Named | null } } : never;

/** The stored `data` of one kind of event: the change plus who made it, by name. */
export type EventData = WithData<EventChange>['data'];

export type IncidentEvent = {
  id: number;
  incidentId: string;
  /** The actor as they are called now (null = the system). */
  actor: { id: string; displayName: string } | null;
  at: Date;
  message: string;
} & WithData<EventChange>;

interface EventRow {
  id: number;
  incident_id: string;
  actor_id: string | null;
  actor_name: string | null;
  kind: EventKind;
  data: EventData;
  at: Date;
}

const toEvent = (row: EventRow): IncidentEvent =>
  ({
    id: row.id,
    incidentId: row.incident_id,
    kind: row.kind,
    actor: row.actor_id ? { id: row.actor_id, displayName: row.actor_name ?? row.data.by?.name ?? 'Someone' } : null,
    at: row.at,
    data: row.data,
    message: describeEvent({ kind: row.kind, ...row.data } as EventChange & { by: Named | null }),
  }) as IncidentEvent;

export async function recordEvent(sql: Sql, incidentId: string, by: Named | null, change: EventChange): Promise<IncidentEvent> {
  const { kind, ...rest } = change;
  const data = { ...rest, by };
  const [row] = await sql<EventRow>`
    insert into incident_events (incident_id, actor_id, kind, data)
    values (${incidentId}, ${by?.id ?? null}, ${kind}, ${data}::jsonb)
    returning *, ${by?.name ?? null}::text as actor_name`;
  return toEvent(row);
}

export async function listEvents(sql: Sql, incidentId: string): Promise<IncidentEvent[]> {
  const rows = await sql<EventRow>`
    select e.*, u.display_name as actor_name
    from incident_events e left join users u on u.id = e.actor_id
    where e.incident_id = ${incidentId}
    order by e.id`;
  return rows.map(toEvent);
}

// --- messages ---------------------------------------------------------------

const ROLE_WORDS: Record<RoleName, string> = {
  commander: 'command',
  scribe: 'the scribe role',
  communicator: 'the communicator role',
};

const FIELD_WORDS: Record<'summary' | 'services', string> = {
  summary: 'the summary',
  services: 'the affected services',
};

export const isMilestoneField = (field: DetailField): field is MilestoneField => (MILESTONE_FIELDS as readonly string[]).includes(field);

const timeWords = (value: DetailChange['from']) => (typeof value === 'string' ? formatUtcDateTime(new Date(value)) : 'not recorded');

const TIME_WORDS: Record<MilestoneField, string> = {
  startedAt: 'the start of impact',
  detectedAt: 'the detection time',
  acknowledgedAt: 'the acknowledgement time',
  mitigatedAt: 'the mitigation time',
  resolvedAt: 'the resolution time',
};

/** "the detection time (not recorded → 5 Dec 2026, 22:04 UTC)": a correction of a time says what it was. */
function describeTimeChange(change: DetailChange): string {
  return `${TIME_WORDS[change.field as MilestoneField]} (${timeWords(change.from)} → ${timeWords(change.to)})`;
}

function listWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function describeRole(by: string, change: Extract<EventChange, { kind: 'role' }>, actorId: string | null): string {
  const word = ROLE_WORDS[change.role];
  const { from, to } = change;
  if (change.claimed && to) return `${to.name} claimed ${word}`;
  if (!to) return from && from.id === actorId ? `${from.name} stepped down from ${word}` : `${by} removed ${from?.name ?? 'nobody'} from ${word}`;
  if (!from) return to.id === actorId ? `${to.name} took ${word}` : `${by} gave ${word} to ${to.name}`;
  if (from.id === actorId) return `${from.name} handed ${word} to ${to.name}`;
  if (to.id === actorId) return `${to.name} took ${word} from ${from.name}`;
  return `${by} moved ${word} from ${from.name} to ${to.name}`;
}

function describePostmortem(by: string, event: Extract<EventChange, { kind: 'postmortem' }>): string {
  switch (event.action) {
    case 'submitted':
      return `${by} submitted the postmortem for review`;
    case 'sent_back':
      return `${by} sent the postmortem back to draft`;
    case 'published':
      return `${by} published the postmortem${event.version && event.version > 1 ? ` (version ${event.version})` : ''}`;
    case 'revised':
      return `${by} started a revision of the postmortem`;
    case 'due_date':
      return `${by} moved the postmortem review due date to ${event.reviewDueAt?.slice(0, 10) ?? 'another day'}`;
  }
}

/** The sentence for an event, from the names stored with it, e.g. "Ana handed command to Ben". */
export function describeEvent(event: EventChange & { by: Named | null }): string {
  const by = event.by?.name ?? 'Warroom';
  switch (event.kind) {
    case 'declared': {
      const lead = event.commander.id === event.by?.id ? '' : ` with ${event.commander.name} in command`;
      return `${by} declared a ${severityLabel(event.severity)}${event.drill ? ' drill' : ''}: ${event.title}${lead}`;
    }
    case 'state':
      return `State ${event.from} → ${event.to}`;
    case 'severity':
      return `Severity ${severityLabel(event.from)} → ${severityLabel(event.to)}`;
    case 'role':
      return describeRole(by, event, event.by?.id ?? null);
    case 'title':
      return `Title "${event.from}" → "${event.to}"`;
    case 'participant': {
      const self = event.user.id === event.by?.id;
      if (event.from === null) return self ? `${event.user.name} joined as ${event.to}` : `${by} added ${event.user.name} as ${event.to}`;
      return self
        ? `${event.user.name} switched from ${event.from} to ${event.to}`
        : `${by} made ${event.user.name} ${event.to === 'observer' ? 'an observer' : 'a responder'}`;
    }
    case 'details': {
      const parts: string[] = [];
      const edited = event.changes.filter((c) => c.field === 'summary' || c.field === 'services').map((c) => FIELD_WORDS[c.field as 'summary' | 'services']);
      if (edited.length > 0) parts.push(`updated ${listWords(edited)}`);
      const privacy = event.changes.find((c) => c.field === 'private');
      if (privacy) parts.push(privacy.to ? 'made the incident private' : 'made the incident visible to everyone');
      const times = event.changes.filter((c) => isMilestoneField(c.field));
      // Only an alert changes times without a person (server/alerts/routing.ts).
      if (!event.by && times.length > 0 && parts.length === 0) return `An alert moved ${listWords(times.map(describeTimeChange))}`;
      if (times.length > 0) parts.push(`corrected ${listWords(times.map(describeTimeChange))}`);
      return `${by} ${parts.join('; ') || 'updated the details'}`;
    }
    case 'acknowledged':
      return `${by} acknowledged the incident`;
    case 'postmortem':
      return describePostmortem(by, event);
    case 'status_page':
      if (event.public && !event.wasPublic) return `${by} made the status page public as "${event.publicTitle}"`;
      if (!event.public && event.wasPublic) return `${by} took the status page down`;
      return `${by} changed the public title to "${event.publicTitle}"`;
  }
}
