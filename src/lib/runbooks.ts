/** Runbook shapes as the API returns them, and the calls the runbook pages and the war-room panel make. */
import { api, ApiFailure } from '$lib/api';
import type { PersonRef } from '$lib/incidents';

export interface RunbookStamp {
  kind: 'used' | 'verified';
  /** Null when the incident is private and you are not in it. */
  incidentNumber: number | null;
  incidentRef: string | null;
  by: PersonRef | null;
  at: string;
}

export interface RunbookSummary {
  id: string;
  slug: string;
  title: string;
  services: string[];
  failureMode: string;
  owner: PersonRef | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  lastUsed: RunbookStamp | null;
  lastVerified: RunbookStamp | null;
  stale: boolean;
  staleSince: string;
}

export interface Runbook extends RunbookSummary {
  body: string;
  stamps: RunbookStamp[];
}

export interface RunbookVersionSummary {
  version: number;
  title: string;
  author: PersonRef | null;
  at: string;
  note: string;
}

export interface DiffLine {
  kind: 'same' | 'removed' | 'added';
  text: string;
  oldLine?: number;
  newLine?: number;
}

export interface RunbookDraft {
  title: string;
  services: string[];
  failureMode: string;
  body: string;
}

export interface IncidentRunbooks {
  runbooks: RunbookSummary[];
  prompt: { resolvedBy: PersonRef | null; isResolver: boolean; draft: RunbookDraft } | null;
}

export const runbookPath = (r: { slug: string }) => `/runbooks/${encodeURIComponent(r.slug)}`;

const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** "in INC-42 on 3 Mar 2026", or "in a private incident on …". */
export function stampWords(stamp: RunbookStamp): string {
  return `in ${stamp.incidentRef ?? 'a private incident'} on ${day(stamp.at)}`;
}

export const listRunbooks = (params: { service?: string; stale?: boolean; q?: string } = {}) => {
  const query = new URLSearchParams();
  if (params.service) query.set('service', params.service);
  if (params.stale !== undefined) query.set('stale', String(params.stale));
  if (params.q) query.set('q', params.q);
  const qs = query.toString();
  return api<{ runbooks: RunbookSummary[] }>('GET', `/api/runbooks${qs ? `?${qs}` : ''}`);
};

export const getRunbook = (id: string) => api<{ runbook: Runbook }>('GET', `/api/runbooks/${encodeURIComponent(id)}`);
export const listVersions = (id: string) => api<{ versions: RunbookVersionSummary[] }>('GET', `/api/runbooks/${encodeURIComponent(id)}/versions`);
export const getDiff = (id: string, from: number, to: number) =>
  api<{ from: number; to: number; lines: DiffLine[] }>('GET', `/api/runbooks/${encodeURIComponent(id)}/diff?from=${from}&to=${to}`);
export const stampRunbook = (id: string, incident: string, kind: 'used' | 'verified') =>
  api<{ runbook: Runbook }>('POST', `/api/runbooks/${encodeURIComponent(id)}/stamps`, { incident, kind });
export const incidentRunbooks = (ref: string) => api<IncidentRunbooks>('GET', `/api/incidents/${encodeURIComponent(ref)}/runbooks`);

export interface RunbookSave {
  title: string;
  body: string;
  services: string[];
  failureMode: string;
  note?: string;
  verifiedIn?: string;
}

export const createRunbook = (input: RunbookSave) => api<{ runbook: Runbook }>('POST', '/api/runbooks', input);

/** The draft handed from the war room to the new-runbook page, kept in sessionStorage (too long for a URL). */
export const DRAFT_KEY = 'warroom.runbook-draft';

export type SaveOutcome = { ok: true; runbook: Runbook } | { ok: false; conflict: Runbook; message: string };

/**
 * Saves a new version based on `baseVersion`. A 409 is an expected outcome,
 * not an error: it carries the version someone else saved, so the editor can
 * keep the user's text and show theirs next to it.
 */
export async function saveRunbook(id: string, baseVersion: number, input: RunbookSave): Promise<SaveOutcome> {
  let response: Response;
  try {
    response = await fetch(`/api/runbooks/${encodeURIComponent(id)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ baseVersion, ...input }),
    });
  } catch {
    throw new ApiFailure(0, 'network', 'Cannot reach the Warroom server. Your text is still here; try saving again.');
  }
  const data = await response.json().catch(() => null);
  if (response.status === 409 && data?.current) return { ok: false, conflict: data.current as Runbook, message: data.error.message };
  if (!response.ok) {
    const error = data?.error ?? {};
    throw new ApiFailure(response.status, error.code ?? 'unknown', error.message ?? `Request failed (${response.status}).`, error.field);
  }
  return { ok: true, runbook: data.runbook as Runbook };
}
