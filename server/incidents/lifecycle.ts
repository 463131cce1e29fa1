/**
 * The incident state machine and the timestamps it records. Pure: the
 * commands decide with these functions and then write what they return.
 */
import { INCIDENT_STATES, type IncidentState } from '../shared/incident-vocabulary.ts';

export { INCIDENT_STATES, type IncidentState };

// Responders move freely between the open states (diagnoses turn out wrong);
// only a resolved incident may be closed. Reopening a closed incident sends it
// back to investigating (until its postmortem is published, a later check).
const TRANSITIONS: Record<IncidentState, readonly IncidentState[]> = {
  investigating: ['identified', 'monitoring', 'resolved'],
  identified: ['investigating', 'monitoring', 'resolved'],
  monitoring: ['investigating', 'identified', 'resolved'],
  resolved: ['investigating', 'identified', 'monitoring', 'closed'],
  closed: ['investigating'],
};

export const ACTIVE_STATES: readonly IncidentState[] = ['investigating', 'identified', 'monitoring'];

export function isActive(state: IncidentState): boolean {
  return ACTIVE_STATES.includes(state);
}

export function allowedTransitions(from: IncidentState): readonly IncidentState[] {
  return TRANSITIONS[from];
}

export type TransitionCheck = { ok: true } | { ok: false; message: string };

export function checkTransition(from: IncidentState, to: IncidentState): TransitionCheck {
  if (TRANSITIONS[from].includes(to)) return { ok: true };
  const allowed = TRANSITIONS[from];
  const options = from === 'closed' ? 'A closed incident can only be reopened (to investigating).' : `From ${from} it can move to ${allowed.join(', ')}.`;
  const what = from === to ? `The incident is already ${from}.` : `Cannot move from ${from} to ${to}.`;
  return { ok: false, message: `${what} ${options}` };
}

export interface LifecycleTimestamps {
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
}

/**
 * Timestamps after moving to `to`: mitigated is the first move to monitoring or
 * resolved and is kept after that; resolved is the latest resolution and is
 * cleared when the incident goes back to an open state.
 */
export function timestampsAfter(current: LifecycleTimestamps, to: IncidentState, now: Date): LifecycleTimestamps {
  const next: LifecycleTimestamps = { mitigatedAt: current.mitigatedAt, resolvedAt: current.resolvedAt, closedAt: current.closedAt };
  if ((to === 'monitoring' || to === 'resolved') && !next.mitigatedAt) next.mitigatedAt = now;
  if (to === 'resolved') next.resolvedAt = now;
  if (isActive(to)) next.resolvedAt = null;
  if (to === 'closed') next.closedAt = now;
  else next.closedAt = null;
  return next;
}
