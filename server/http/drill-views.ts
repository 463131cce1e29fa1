/**
 * The views drill handlers answer with, typed by their schemas in
 * server/shared/api/drills.ts. The team's view is built from an explicit list
 * of fields, never by removing the secret ones from the console's, so a field
 * added to the script later cannot leak to responders by default.
 */
import type { z } from 'zod';
import type { Debrief } from '../drills/debrief.ts';
import type { DrillRun, Observation, Release } from '../drills/run-repo.ts';
import type { ScenarioRecord, ScenarioVersion } from '../drills/scenario-repo.ts';
import type { Participant } from '../incidents/repo.ts';
import type * as api from '../shared/api/drills.ts';
import { elapsedAt, isPaused, pausedFor } from '../shared/drill-clock.ts';
import { parseScenario, type Inject, type Scenario } from '../shared/drill-scenario.ts';
import type { IncidentState } from '../shared/incident-vocabulary.ts';

const iso = (d: Date | null) => d?.toISOString() ?? null;

// --- scenarios ---------------------------------------------------------------

function summaryOf(record: ScenarioRecord): z.infer<typeof api.ScenarioSummarySchema> {
  const parsed = parseScenario(record.body);
  return {
    id: record.id,
    slug: record.slug,
    title: record.title,
    services: parsed.ok ? parsed.scenario.services : [],
    severity: parsed.ok ? parsed.scenario.severity : 3,
    injects: parsed.ok ? parsed.scenario.injects.length : 0,
    version: record.version,
    shipped: record.builtin !== null,
    runs: record.runs,
    lastRunAt: iso(record.lastRunAt),
    updatedAt: record.updatedAt.toISOString(),
    hidden: record.hidden,
  };
}

export const toScenarioSummary = (record: ScenarioRecord) => summaryOf(record);
export const toScenarioView = (record: ScenarioRecord): z.infer<typeof api.ScenarioSchema> => ({ ...summaryOf(record), body: record.body });
export const toScenarioVersionSummary = (v: ScenarioVersion): z.infer<typeof api.ScenarioVersionSummarySchema> => ({ version: v.version, title: v.title, author: v.author, at: v.at.toISOString(), note: v.note });
export const toScenarioVersionView = (v: ScenarioVersion): z.infer<typeof api.ScenarioVersionSchema> => ({ ...toScenarioVersionSummary(v), body: v.body });

// --- runs ----------------------------------------------------------------------

const clockOf = (run: DrillRun, now: Date) => ({
  startedAt: run.startedAt.toISOString(),
  endedAt: iso(run.endedAt),
  paused: isPaused(run),
  elapsedMs: elapsedAt(run, now),
});

export function toRunSummary(run: DrillRun, viewerId: string, now: Date): z.infer<typeof api.DrillRunSummarySchema> {
  return {
    id: run.id,
    scenario: { id: run.scenarioId, title: run.scenarioTitle, version: run.scenarioVersion },
    incident: { ref: `INC-${run.incident.number}`, number: run.incident.number, title: run.incident.title, state: run.incident.state as IncidentState, private: run.incident.private },
    facilitator: run.facilitator,
    ...clockOf(run, now),
    youFacilitate: run.facilitator.id === viewerId,
  };
}

const released = (run: DrillRun, release: Release) => ({
  at: release.releasedAt.toISOString(),
  elapsedMs: elapsedAt(run, release.releasedAt),
  by: release.releasedBy,
  routing: release.delivery.routing ?? null,
});

const injectFields = (inject: Inject) => ({ key: inject.key, kind: inject.kind, title: inject.title, from: inject.from, body: inject.body });

export function toConsoleView(
  run: DrillRun,
  scenario: Scenario,
  releases: readonly Release[],
  observations: readonly Observation[],
  participants: readonly Participant[],
  viewerId: string,
  now: Date,
): z.infer<typeof api.DrillConsoleSchema> {
  const releaseOf = new Map(releases.map((r) => [r.injectKey, r]));
  return {
    ...toRunSummary(run, viewerId, now),
    pausedMs: pausedFor(run, now),
    script: {
      briefing: scenario.briefing,
      answer: scenario.answer,
      hypothesis: scenario.hypothesis,
      match: scenario.match,
      runbook: scenario.runbook,
      facilitatorNotes: scenario.facilitatorNotes,
      services: scenario.services,
      severity: scenario.severity,
    },
    injects: scenario.injects.map((inject) => {
      const release = releaseOf.get(inject.key);
      return { ...injectFields(inject), atMs: inject.atMs, alert: inject.alert, released: release ? released(run, release) : null };
    }),
    observations: observations.map((o) => ({ id: o.id, at: o.at.toISOString(), elapsedMs: elapsedAt(run, o.at), author: o.author, text: o.text })),
    participants: participants.map((p) => ({ id: p.id, displayName: p.displayName, kind: p.kind })),
    correctHypothesisId: run.correctHypothesisId,
    runbookHelped: run.runbookHelped,
    runbookNote: run.runbookNote,
  };
}

/** The team's view: the briefing and what has been released, nothing else of the script. */
export function toTeamView(run: DrillRun, scenario: Scenario, releases: readonly Release[], viewerId: string, now: Date): z.infer<typeof api.TeamDrillSchema> {
  const injectOf = new Map(scenario.injects.map((i) => [i.key, i]));
  return {
    id: run.id,
    scenarioTitle: run.scenarioTitle,
    facilitator: run.facilitator,
    ...clockOf(run, now),
    briefing: scenario.briefing,
    injects: releases.flatMap((release) => {
      const inject = injectOf.get(release.injectKey);
      return inject ? [{ ...injectFields(inject), released: released(run, release) }] : [];
    }),
    youFacilitate: run.facilitator.id === viewerId,
    debriefReady: run.endedAt !== null,
  };
}

// --- debrief ---------------------------------------------------------------------

export const toDebriefView = (debrief: Debrief): z.infer<typeof api.DebriefSchema> => debrief;
