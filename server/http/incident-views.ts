/**
 * The incidents API's bodies, built from domain records. Each function is
 * typed with its schema in server/shared/api/components.ts, so a view that
 * drifts from the documented shape (and the browser's type) does not compile.
 */
import type { z } from 'zod';
import type * as api from '../shared/api/components.ts';
import type { IncidentEvent } from '../incidents/events.ts';
import { permissionsFor, standingOf, type Access, type ParticipantKind } from '../incidents/permissions.ts';
import type { Incident, Participant, PersonRef } from '../incidents/repo.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

export const incidentRef = (number: number) => `INC-${number}`;

export function toIncidentSummary(incident: Incident): z.infer<typeof api.IncidentSummary> {
  return {
    id: incident.id,
    number: incident.number,
    ref: incidentRef(incident.number),
    title: incident.title,
    publicTitle: incident.publicTitle,
    severity: incident.severity,
    state: incident.state,
    summary: incident.summary,
    services: incident.services,
    private: incident.private,
    drill: incident.drill,
    startedAt: incident.startedAt.toISOString(),
    detectedAt: iso(incident.detectedAt),
    declaredAt: incident.declaredAt.toISOString(),
    acknowledgedAt: iso(incident.acknowledgedAt),
    mitigatedAt: iso(incident.mitigatedAt),
    resolvedAt: iso(incident.resolvedAt),
    closedAt: iso(incident.closedAt),
    updatedAt: incident.updatedAt.toISOString(),
    docId: incident.docId,
    declaredBy: incident.declaredBy,
    roles: incident.roles,
    participantCount: incident.participantCount,
  };
}

export interface Viewer {
  id: string;
  isAdmin: boolean;
}

/** The full view for one viewer; callers have already refused viewers with no access. */
export function toIncidentView(incident: Incident, participants: Participant[], viewer: Viewer): z.infer<typeof api.Incident> {
  const kind: ParticipantKind | null = participants.find((p) => p.id === viewer.id)?.kind ?? null;
  const can = permissionsFor(standingOf(viewer, incident, kind));
  const { participantCount: _, ...summary } = toIncidentSummary(incident);
  return {
    ...summary,
    participants: participants.map((p) => ({ id: p.id, displayName: p.displayName, kind: p.kind, joinedAt: p.joinedAt.toISOString() })),
    me: {
      access: can.access as Exclude<Access, 'none'>,
      kind,
      canCommand: can.canCommand,
      isAdmin: viewer.isAdmin,
      canClaim: can.canClaim,
      canAddParticipants: can.canAddParticipants,
    },
  };
}

export function toEventView(event: IncidentEvent): z.infer<typeof api.IncidentEvent> {
  const actor: PersonRef | null = event.actor;
  return { id: event.id, kind: event.kind, actor, at: event.at.toISOString(), data: event.data, message: event.message };
}
