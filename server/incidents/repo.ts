/** SQL for incidents and their participants. Every function takes `sql` first so it runs inside a command's transaction. */
import { frag, join, type Fragment, type Sql } from '../db/sql.ts';
import type { IncidentState } from './lifecycle.ts';
import type { ParticipantKind, RoleName } from './permissions.ts';
import type { Severity } from '../shared/severity.ts';

export interface PersonRef {
  id: string;
  displayName: string;
}

export interface Incident {
  id: string;
  number: number;
  title: string;
  /** The status page's title (migration 006); null until the page is first made public. */
  publicTitle: string | null;
  severity: Severity;
  state: IncidentState;
  summary: string;
  services: string[];
  private: boolean;
  drill: boolean;
  declaredBy: PersonRef | null;
  roles: Record<RoleName, PersonRef | null>;
  startedAt: Date;
  detectedAt: Date | null;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  docId: string;
  createdAt: Date;
  updatedAt: Date;
  participantCount: number;
}

export interface Participant extends PersonRef {
  kind: ParticipantKind;
  joinedAt: Date;
  addedBy: string | null;
}

export interface IncidentRow {
  id: string;
  number: number;
  title: string;
  public_title: string | null;
  severity: Severity;
  state: IncidentState;
  summary: string;
  services: string[];
  private: boolean;
  drill: boolean;
  declared_by: string | null;
  declared_by_name: string | null;
  commander_id: string | null;
  commander_name: string | null;
  scribe_id: string | null;
  scribe_name: string | null;
  communicator_id: string | null;
  communicator_name: string | null;
  started_at: Date;
  detected_at: Date | null;
  declared_at: Date;
  acknowledged_at: Date | null;
  mitigated_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  doc_id: string;
  created_at: Date;
  updated_at: Date;
  participant_count: number;
}

const person = (id: string | null, name: string | null): PersonRef | null => (id ? { id, displayName: name ?? 'Unknown' } : null);

export const toIncident = (row: IncidentRow): Incident => ({
  id: row.id,
  number: row.number,
  title: row.title,
  publicTitle: row.public_title ?? null,
  severity: row.severity,
  state: row.state,
  summary: row.summary,
  services: row.services,
  private: row.private,
  drill: row.drill,
  declaredBy: person(row.declared_by, row.declared_by_name),
  roles: {
    commander: person(row.commander_id, row.commander_name),
    scribe: person(row.scribe_id, row.scribe_name),
    communicator: person(row.communicator_id, row.communicator_name),
  },
  startedAt: row.started_at,
  detectedAt: row.detected_at,
  declaredAt: row.declared_at,
  acknowledgedAt: row.acknowledged_at,
  mitigatedAt: row.mitigated_at,
  resolvedAt: row.resolved_at,
  closedAt: row.closed_at,
  docId: row.doc_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  participantCount: row.participant_count,
});

/** Every incident column plus role holders' names and the participant count; queries append their own where. */
export const SELECT_INCIDENT = frag`
  select i.*,
    d.display_name as declared_by_name, c.display_name as commander_name,
    s.display_name as scribe_name, m.display_name as communicator_name,
    (select count(*)::int from incident_participants p where p.incident_id = i.id) as participant_count
  from incidents i
    left join users d on d.id = i.declared_by
    left join users c on c.id = i.commander_id
    left join users s on s.id = i.scribe_id
    left join users m on m.id = i.communicator_id`;

export interface NewIncident {
  id: string;
  title: string;
  severity: Severity;
  summary: string;
  services: string[];
  private: boolean;
  drill: boolean;
  declaredBy: string;
  commanderId: string;
  startedAt: Date;
  detectedAt: Date | null;
  declaredAt: Date;
  docId: string;
}

export async function insertIncident(sql: Sql, input: NewIncident): Promise<void> {
  await sql`
    insert into incidents (id, title, severity, summary, services, private, drill, declared_by, commander_id,
                           started_at, detected_at, declared_at, doc_id, created_at, updated_at)
    values (${input.id}, ${input.title}, ${input.severity}, ${input.summary}, ${input.services}::text[], ${input.private},
            ${input.drill}, ${input.declaredBy}, ${input.commanderId}, ${input.startedAt}, ${input.detectedAt},
            ${input.declaredAt}, ${input.docId}, ${input.declaredAt}, ${input.declaredAt})`;
}

export async function findIncidentById(sql: Sql, id: string): Promise<Incident | null> {
  const [row] = await sql<IncidentRow>`${SELECT_INCIDENT} where i.id = ${id}`;
  return row ? toIncident(row) : null;
}

export async function findIncidentByNumber(sql: Sql, number: number): Promise<Incident | null> {
  const [row] = await sql<IncidentRow>`${SELECT_INCIDENT} where i.number = ${number}`;
  return row ? toIncident(row) : null;
}

export async function findIncidentByDocId(sql: Sql, docId: string): Promise<Incident | null> {
  const [row] = await sql<IncidentRow>`${SELECT_INCIDENT} where i.doc_id = ${docId}`;
  return row ? toIncident(row) : null;
}

/** The war room declared last and someone in it (a restarted server warms its lookups with real rows: see document-policy.ts). */
export async function lastDeclaredWarRoom(sql: Sql): Promise<{ docId: string; userId: string | null } | null> {
  const [row] = await sql<{ doc_id: string; user_id: string | null }>`
    select doc_id, coalesce(commander_id, declared_by) as user_id from incidents order by declared_at desc limit 1`;
  return row ? { docId: row.doc_id, userId: row.user_id } : null;
}

/** Takes the row lock that serialises commands on one incident; returns its id, or null. */
export async function lockIncident(sql: Sql, number: number): Promise<string | null> {
  const [row] = await sql<{ id: string }>`select id from incidents where number = ${number} for update`;
  return row?.id ?? null;
}

export interface IncidentChanges {
  title?: string;
  severity?: Severity;
  state?: IncidentState;
  summary?: string;
  services?: string[];
  private?: boolean;
  commanderId?: string;
  scribeId?: string | null;
  communicatorId?: string | null;
  startedAt?: Date;
  detectedAt?: Date | null;
  acknowledgedAt?: Date | null;
  mitigatedAt?: Date | null;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
}

// Column names cannot be parameters, so each settable column has its own fragment.
const SETTERS: { [K in keyof Required<IncidentChanges>]: (value: IncidentChanges[K]) => Fragment } = {
  title: (v) => frag`title = ${v}`,
  severity: (v) => frag`severity = ${v}`,
  state: (v) => frag`state = ${v}`,
  summary: (v) => frag`summary = ${v}`,
  services: (v) => frag`services = ${v}::text[]`,
  private: (v) => frag`private = ${v}`,
  commanderId: (v) => frag`commander_id = ${v}`,
  scribeId: (v) => frag`scribe_id = ${v}`,
  communicatorId: (v) => frag`communicator_id = ${v}`,
  startedAt: (v) => frag`started_at = ${v}`,
  detectedAt: (v) => frag`detected_at = ${v}`,
  acknowledgedAt: (v) => frag`acknowledged_at = ${v}`,
  mitigatedAt: (v) => frag`mitigated_at = ${v}`,
  resolvedAt: (v) => frag`resolved_at = ${v}`,
  closedAt: (v) => frag`closed_at = ${v}`,
};

export async function updateIncident(sql: Sql, id: string, changes: IncidentChanges): Promise<void> {
  const sets = (Object.keys(changes) as (keyof IncidentChanges)[])
    .filter((key) => changes[key] !== undefined)
    .map((key) => (SETTERS[key] as (value: unknown) => Fragment)(changes[key]));
  if (sets.length === 0) return;
  await sql`update incidents set ${join([...sets, frag`updated_at = now()`], ', ')} where id = ${id}`;
}

export const ROLE_COLUMNS: Record<RoleName, 'commanderId' | 'scribeId' | 'communicatorId'> = {
  commander: 'commanderId',
  scribe: 'scribeId',
  communicator: 'communicatorId',
};

// --- participants -----------------------------------------------------------

interface ParticipantRow {
  user_id: string;
  display_name: string;
  kind: ParticipantKind;
  joined_at: Date;
  added_by: string | null;
}

const toParticipant = (row: ParticipantRow): Participant => ({
  id: row.user_id,
  displayName: row.display_name,
  kind: row.kind,
  joinedAt: row.joined_at,
  addedBy: row.added_by,
});

export async function listParticipants(sql: Sql, incidentId: string): Promise<Participant[]> {
  const rows = await sql<ParticipantRow>`
    select p.user_id, u.display_name, p.kind, p.joined_at, p.added_by
    from incident_participants p join users u on u.id = p.user_id
    where p.incident_id = ${incidentId}
    order by p.joined_at, lower(u.display_name)`;
  return rows.map(toParticipant);
}

export async function findParticipantKind(sql: Sql, incidentId: string, userId: string): Promise<ParticipantKind | null> {
  const [row] = await sql<{ kind: ParticipantKind }>`
    select kind from incident_participants where incident_id = ${incidentId} and user_id = ${userId}`;
  return row?.kind ?? null;
}

/** `findParticipantKind` for many people at once, in one query: people without a row are absent from the map. */
export async function findParticipantKinds(sql: Sql, incidentId: string, userIds: readonly string[]): Promise<Map<string, ParticipantKind>> {
  if (userIds.length === 0) return new Map();
  const rows = await sql<{ user_id: string; kind: ParticipantKind }>`
    select user_id, kind from incident_participants where incident_id = ${incidentId} and user_id = any(${userIds}::text[])`;
  return new Map(rows.map((row) => [row.user_id, row.kind]));
}

/**
 * `findParticipantKinds` of the incident that owns a war-room document, found
 * by the document's id: it runs alongside `findIncidentByDocId` instead of
 * after it (a websocket upgrade waits for both).
 */
export async function findParticipantKindsByDocId(sql: Sql, docId: string, userIds: readonly string[]): Promise<Map<string, ParticipantKind>> {
  if (userIds.length === 0) return new Map();
  const rows = await sql<{ user_id: string; kind: ParticipantKind }>`
    select p.user_id, p.kind from incident_participants p join incidents i on i.id = p.incident_id
    where i.doc_id = ${docId} and p.user_id = any(${userIds}::text[])`;
  return new Map(rows.map((row) => [row.user_id, row.kind]));
}

/** Adds the person or changes their kind; `joined_at` stays the first time they joined. */
export async function upsertParticipant(
  sql: Sql,
  input: { incidentId: string; userId: string; kind: ParticipantKind; addedBy: string | null; at?: Date },
): Promise<void> {
  await sql`
    insert into incident_participants (incident_id, user_id, kind, added_by, joined_at)
    values (${input.incidentId}, ${input.userId}, ${input.kind}, ${input.addedBy}, ${input.at ?? new Date()})
    on conflict (incident_id, user_id) do update set kind = excluded.kind`;
}

// --- people -----------------------------------------------------------------

/** An active person (not a service account: a token cannot hold a role or own follow-up work). */
export async function findActiveUser(sql: Sql, id: string): Promise<PersonRef | null> {
  const [row] = await sql<{ id: string; display_name: string }>`
    select id, display_name from users where id = ${id} and active and kind = 'person'`;
  return row ? { id: row.id, displayName: row.display_name } : null;
}
