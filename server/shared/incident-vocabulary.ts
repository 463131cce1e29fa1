/**
 * The words an incident is described with: its states, its roles and the
 * kinds of participant. Shared so the API's schemas, the rules in
 * server/incidents/ and the browser spell them from one list.
 */
export const INCIDENT_STATES = ['investigating', 'identified', 'monitoring', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const ROLE_NAMES = ['commander', 'scribe', 'communicator'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const PARTICIPANT_KINDS = ['responder', 'observer'] as const;
export type ParticipantKind = (typeof PARTICIPANT_KINDS)[number];
