/**
 * The incidents API's shapes in the browser: the API's own schemas
 * (server/shared/api/components.ts) read as types, so they cannot drift.
 */
import type { z } from 'zod';
import type * as api from '$shared/api/components';
import { INCIDENT_STATES, type IncidentState, type ParticipantKind, type RoleName } from '$shared/incident-vocabulary';

export type { IncidentState, ParticipantKind, RoleName };
export type PersonRef = z.infer<typeof api.PersonRef>;
export type IncidentSummary = z.infer<typeof api.IncidentSummary>;
export type IncidentView = z.infer<typeof api.Incident>;

export const STATES: readonly IncidentState[] = INCIDENT_STATES;
export const ROLES: { name: RoleName; label: string }[] = [
  { name: 'commander', label: 'Commander' },
  { name: 'scribe', label: 'Scribe' },
  { name: 'communicator', label: 'Communicator' },
];

export { SEVERITIES } from '$shared/severity';

export const isActive = (state: IncidentState) => state !== 'resolved' && state !== 'closed';
