/**
 * Who may see, edit and command an incident. Pure: the commands, the HTTP
 * view and the collaboration server's access decision all ask these functions,
 * so the rules live in one place.
 */
import { PARTICIPANT_KINDS, ROLE_NAMES, type ParticipantKind, type RoleName } from '../shared/incident-vocabulary.ts';

export { PARTICIPANT_KINDS, ROLE_NAMES, type ParticipantKind, type RoleName };

/** 'write' edits the board and timeline; 'read' only watches; 'none' must not learn the incident exists. */
export type Access = 'write' | 'read' | 'none';

/** One person's place in one incident. */
export interface Standing {
  isAdmin: boolean;
  private: boolean;
  /** Their participant row, if any. */
  kind: ParticipantKind | null;
  /** Roles they hold on this incident. */
  roles: readonly RoleName[];
  /** A closed incident's war room is frozen: readable, editable by nobody. */
  closed: boolean;
}

export interface Permissions {
  access: Access;
  /** Change severity, state, roles, title and details; on a closed incident only reopening is left. */
  canCommand: boolean;
  /** Take an empty role for themselves. */
  canClaim: boolean;
  canAddParticipants: boolean;
}

export function accessFor(standing: Standing): Access {
  const access = openAccessFor(standing);
  return standing.closed && access === 'write' ? 'read' : access;
}

function openAccessFor(standing: Standing): Access {
  if (standing.isAdmin) return 'write';
  // Role holders are always responders; checking roles too keeps a missing row from locking them out.
  if (standing.roles.length > 0 || standing.kind === 'responder') return 'write';
  if (standing.kind === 'observer') return 'read';
  // Private incidents are invisible to non-participants; public ones are open to read until they join.
  return standing.private ? 'none' : 'read';
}

export function permissionsFor(standing: Standing): Permissions {
  const access = accessFor(standing);
  const isCommander = standing.roles.includes('commander');
  return {
    access,
    canCommand: standing.isAdmin || isCommander,
    canClaim: access === 'write',
    // The commander can bring people into a private incident without waiting for an admin. Still true once it
    // is closed: participants decide who may read and edit the postmortem, not what happened.
    canAddParticipants: standing.isAdmin || isCommander,
  };
}

/** The viewer's standing from the incident's role holders and their own participant row. */
export function standingOf(
  viewer: { id: string; isAdmin: boolean },
  incident: { private: boolean; state: string; roles: Record<RoleName, { id: string } | null> },
  kind: ParticipantKind | null,
): Standing {
  return {
    isAdmin: viewer.isAdmin,
    private: incident.private,
    closed: incident.state === 'closed',
    kind,
    roles: ROLE_NAMES.filter((role) => incident.roles[role]?.id === viewer.id),
  };
}
