/** Client-side shapes of the communications API (server/http/comms.ts, server/http/comm-templates.ts). */
import type { IncidentState } from '$lib/incidents';
import type { Audience } from '$shared/update-template';

export type { Audience };
export type DueState = 'ok' | 'soon' | 'overdue';

export interface UpdateView {
  id: string;
  incidentRef: string;
  audience: Audience;
  bodyMarkdown: string;
  bodyHtml: string;
  author: { id: string; displayName: string };
  publishedAt: string;
  incidentState: IncidentState;
  incidentTitle: string;
  severity: 1 | 2 | 3 | 4;
}

export interface CadenceView {
  audience: Audience;
  intervalMinutes: number | null;
  defaultIntervalMinutes: number | null;
  overridden: boolean;
  lastPublishedAt: string | null;
  nextDueAt: string | null;
  prompted: boolean;
  state: DueState;
}

export interface TemplateView {
  audience: Audience;
  severity: 1 | 2 | 3 | 4 | null;
  body: string;
  custom: boolean;
  updatedBy: { id: string; displayName: string } | null;
  updatedAt: string | null;
}

export const AUDIENCE_LABELS: Record<Audience, string> = {
  responders: 'Responders',
  support: 'Support',
  leadership: 'Leadership',
  public: 'Public',
};
