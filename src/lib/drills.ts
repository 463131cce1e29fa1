/**
 * Drill and process-review shapes as the API returns them, read from the API's
 * own schemas (server/shared/api/: type-only imports, so no schema code is
 * bundled), and the calls the pages make.
 */
import type { z } from 'zod';
import type { DebriefEnvelopeSchema, DrillConsoleSchema, DrillRunSummarySchema, ScenarioSchema, ScenarioSummarySchema, ScenarioVersionSummarySchema, TeamDrillSchema } from '$shared/api/drills';
import type { ProcessReviewSchema, ReviewSummaryRow } from '$shared/api/process-reviews';
import { api } from '$lib/api';
import { formatDuration } from '$shared/duration';

export type ScenarioSummary = z.infer<typeof ScenarioSummarySchema>;
export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioVersionSummary = z.infer<typeof ScenarioVersionSummarySchema>;
export type DrillRunSummary = z.infer<typeof DrillRunSummarySchema>;
export type DrillConsole = z.infer<typeof DrillConsoleSchema>;
export type TeamDrill = z.infer<typeof TeamDrillSchema>;
export type DebriefEnvelope = z.infer<typeof DebriefEnvelopeSchema>;
export type Debrief = DebriefEnvelope['debrief'];
export type ProcessReview = z.infer<typeof ProcessReviewSchema>;
export type ReviewedIncident = ProcessReview['incidents'][number];
export type SavedReviewRow = z.infer<typeof ReviewSummaryRow>;

/** A time on the drill clock, in the one duration format: "+12 min 30 s". */
export const drillTime = (ms: number | null | undefined) => (ms === null || ms === undefined ? '—' : `${ms < 0 ? '−' : '+'}${formatDuration(Math.abs(ms))}`);

export const INJECT_LABELS: Record<DrillConsole['injects'][number]['kind'], string> = { alert: 'Alert', message: 'Message', graph: 'Graph', log: 'Log excerpt', twist: 'Twist' };

export const listScenarios = () => api<{ scenarios: ScenarioSummary[] }>('GET', '/api/drills/scenarios');
export const getScenario = (id: string) => api<{ scenario: Scenario }>('GET', `/api/drills/scenarios/${encodeURIComponent(id)}`);
export const listScenarioVersions = (id: string) => api<{ versions: ScenarioVersionSummary[] }>('GET', `/api/drills/scenarios/${encodeURIComponent(id)}/versions`);
export const listDrills = () => api<{ drills: DrillRunSummary[] }>('GET', '/api/drills/runs');
export const getConsole = (id: string) => api<{ drill: DrillConsole }>('GET', `/api/drills/runs/${encodeURIComponent(id)}`);
export const teamDrill = (ref: string) => api<{ drill: TeamDrill }>('GET', `/api/incidents/${encodeURIComponent(ref)}/drill`);
export const getDebrief = (id: string) => api<DebriefEnvelope>('GET', `/api/drills/runs/${encodeURIComponent(id)}/debrief`);
export const drillCommand = (id: string, path: string, body?: unknown, method = 'POST') => api<{ drill: DrillConsole }>(method, `/api/drills/runs/${encodeURIComponent(id)}${path}`, body ?? {});
export const startDrill = (body: { scenarioId: string; responderIds: string[]; commanderId: string; private: boolean }) => api<{ drill: DrillConsole }>('POST', '/api/drills/runs', body);
export const addDrillFinding = (id: string, body: { title: string; ownerId: string; dueDate: string; kind: string }) => api<{ ok: true }>('POST', `/api/drills/runs/${encodeURIComponent(id)}/findings`, body);
