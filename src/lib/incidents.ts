/** Client-side shapes of the incidents API (server/http/incidents.ts). */
export type IncidentState = 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'closed';
export type RoleName = 'commander' | 'scribe' | 'communicator';
export type ParticipantKind = 'responder' | 'observer';

export interface PersonRef {
  id: string;
  displayName: string;
}

export interface IncidentSummary {
  id: string;
  number: number;
  ref: string;
  title: string;
  /** The status page's title; null until the page is first made public. */
  publicTitle: string | null;
  severity: 1 | 2 | 3 | 4;
  state: IncidentState;
  summary: string;
  services: string[];
  private: boolean;
  drill: boolean;
  startedAt: string;
  detectedAt: string | null;
  declaredAt: string;
  acknowledgedAt: string | null;
  mitigatedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  docId: string;
  declaredBy: PersonRef | null;
  roles: Record<RoleName, PersonRef | null>;
  participantCount: number;
}

export interface IncidentView extends Omit<IncidentSummary, 'participantCount'> {
  participants: (PersonRef & { kind: ParticipantKind; joinedAt: string })[];
  me: {
    access: 'write' | 'read';
    kind: ParticipantKind | null;
    canCommand: boolean;
    isAdmin: boolean;
    canClaim: boolean;
    canAddParticipants: boolean;
  };
}

export const STATES: IncidentState[] = ['investigating', 'identified', 'monitoring', 'resolved', 'closed'];
export const ROLES: { name: RoleName; label: string }[] = [
  { name: 'commander', label: 'Commander' },
  { name: 'scribe', label: 'Scribe' },
  { name: 'communicator', label: 'Communicator' },
];

export const SEVERITIES = [
  { level: 1, label: 'SEV1', description: 'Critical: the product is down or data is at risk for many customers.' },
  { level: 2, label: 'SEV2', description: 'Major: a core feature is broken or badly degraded for many customers.' },
  { level: 3, label: 'SEV3', description: 'Minor: partial degradation, a workaround exists, or few customers affected.' },
  { level: 4, label: 'SEV4', description: 'Low: cosmetic or internal impact; no customer-facing urgency.' },
] as const;

export const isActive = (state: IncidentState) => state !== 'resolved' && state !== 'closed';

/** "2h 05m", "12m 30s", "45s" — how long since `from` (until `to`, or now). */
export function formatDuration(from: string, to: string | number | null = null, now = Date.now()): string {
  const end = to === null ? now : typeof to === 'number' ? to : new Date(to).getTime();
  const seconds = Math.max(0, Math.floor((end - new Date(from).getTime()) / 1000));
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}
