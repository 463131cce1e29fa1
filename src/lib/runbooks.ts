/** Runbook shapes as the API returns them, read from the API's own schemas (server/shared/api/runbooks.ts: type-only imports), and the calls the runbook pages and the war-room panel make. */
import type { z } from 'zod';
import { api, ApiFailure } from '$lib/api';
import type * as schemas from '$shared/api/runbooks';

/** `incidentNumber` and `incidentRef` are null when the incident is private and you are not in it. */
export type RunbookStamp = z.infer<typeof schemas.StampSchema>;
export type RunbookSummary = z.infer<typeof schemas.RunbookSummarySchema>;
export type Runbook = z.infer<typeof schemas.RunbookSchema>;
export type RunbookVersionSummary = z.infer<typeof schemas.RunbookVersionSummarySchema>;
export type DiffLine = z.infer<typeof schemas.DiffLineSchema>;
/** The server's prefill always says whether it came from a private incident; a blank draft the page starts with does not. */
export type RunbookDraft = Omit<z.infer<typeof schemas.RunbookDraftSchema>, 'private'> & { private?: boolean };
export type IncidentRunbooks = z.infer<typeof schemas.IncidentRunbooksSchema>;

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
  /** The incident the runbook is written from: the server warns when a private one is quoted. */
  fromIncident?: string;
  /** Save after that warning. */
  quotePrivate?: boolean;
}

/** The server's warning that a runbook quotes a private incident; saving again with quotePrivate confirms. */
export const isPrivateQuoteWarning = (error: unknown): error is ApiFailure => error instanceof ApiFailure && error.code === 'quotes_private_incident';

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
