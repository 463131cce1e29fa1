/**
 * Releasing an inject into the drill. An alert goes the way a monitoring
 * system's alert goes: stored and deduplicated like any alert, matched against
 * the routing rules, attached (moving milestones if it proves them) and
 * announced in the war room's timeline and Alerts panel; only the landing is
 * the drill's own (drill-routing.ts). Messages, graphs, log excerpts and twists
 * become a timeline line and show in full in the war room's drill panel.
 * A release is recorded once, whoever asks first (the facilitator's click or
 * the schedule), so an inject never arrives twice.
 */
import { announce, type AlertDeps } from '../alerts/ingest.ts';
import { safeUrl, serviceOf, type IncomingAlert } from '../alerts/incoming.ts';
import { upsertAlert } from '../alerts/repo.ts';
import { listRules } from '../alerts/rule-repo.ts';
import { attachAlert } from '../alerts/routing.ts';
import { matchRule } from '../alerts/rules.ts';
import type { Sql } from '../db/sql.ts';
import type { PersonRef } from '../incidents/repo.ts';
import { elapsedAt, isPaused } from '../shared/drill-clock.ts';
import { dueInjects, type Inject, type InjectKind, type Scenario } from '../shared/drill-scenario.ts';
import type { TimelineKind } from '../shared/war-room-doc.ts';
import { drillRouting } from './drill-routing.ts';
import { notFound, refuse } from './refusal.ts';
import { Refusal } from '../shared/failure.ts';
import { findRun, insertRelease, listReleases, listTickingRuns, setDelivery, type DrillRun } from './run-repo.ts';
import { scenarioOfVersion } from './scenario-cache.ts';

export const DRILL_ALERT_SOURCE = 'drill';

/** How each kind reads in the timeline: what reached the team, filed honestly. */
const INJECT_WORDS: Record<Exclude<InjectKind, 'alert'>, { kind: TimelineKind; label: (i: Inject) => string }> = {
  message: { kind: 'communication', label: (i) => `Message from ${i.from}` },
  graph: { kind: 'note', label: () => 'Graph' },
  log: { kind: 'note', label: () => 'Log excerpt' },
  twist: { kind: 'note', label: () => 'Development' },
};

export const injectEntryId = (runId: string, key: string) => `inject-${runId}-${key}`;

/** The alert an alert inject sends: its labels decide routing, like any other alert's. */
export function injectAlert(runId: string, inject: Inject, now: Date): IncomingAlert {
  const alert = inject.alert!;
  return {
    source: DRILL_ALERT_SOURCE,
    // The run id is unguessable, so nothing a monitoring system posts can collide with a drill's alert.
    fingerprint: `${runId}/${inject.key}`,
    status: 'firing',
    name: alert.labels.alertname ?? inject.title,
    summary: alert.summary,
    severity: alert.labels.severity ?? null,
    service: serviceOf(alert.labels),
    labels: alert.labels,
    url: safeUrl(alert.url),
    groupKey: `drill:${runId}`,
    startsAt: now,
    endsAt: null,
  };
}

export type ReleaseOutcome = 'released' | 'already_released';

/** Releases one inject now; `by` null means the schedule released it. */
export async function releaseInject(deps: AlertDeps, runId: string, key: string, by: PersonRef | null): Promise<ReleaseOutcome> {
  const now = new Date();
  const done = await deps.sql.begin(async (tx) => {
    const run = await findRun(tx, runId, { lock: true });
    if (!run) throw notFound('No such drill.');
    if (run.endedAt) throw refuse(409, 'drill_ended', 'The drill has ended, so no more injects can be released.');
    // The schedule waits while the facilitator holds the clock; a person may still release by hand.
    if (!by && isPaused(run)) return null;
    const scenario = await scenarioOfVersion(tx, run.scenarioId, run.scenarioVersion);
    const inject = scenario.injects.find((i) => i.key === key);
    if (!inject) throw notFound(`The scenario has no inject ${key}.`);
    if (!(await insertRelease(tx, { runId, injectKey: key, at: now, byId: by?.id ?? null }))) return null;
    if (!inject.alert) return { run, inject, alert: null };
    const { alert } = await upsertAlert(tx, injectAlert(runId, inject, now), now);
    const rule = matchRule(await listRules(tx), alert.labels);
    const routing = drillRouting(rule, alert, await incidentServices(tx, run.incident.id));
    const landing = await attachAlert(tx, run.incident.id, alert, rule?.id ?? null, now);
    await setDelivery(tx, runId, key, { alertId: alert.id, routing });
    return { run, inject, alert: { alert, landing } };
  });
  if (!done) return 'already_released';
  if (done.alert) await announce(deps, done.alert.landing, done.alert.alert);
  else await writeInjectEntry(deps, done.run, done.inject, now);
  deps.log.info({ incidentId: done.run.incident.id, drillId: runId, inject: key, userId: by?.id ?? null }, 'drill inject released');
  return 'released';
}

async function incidentServices(tx: Sql, incidentId: string): Promise<string[]> {
  const [row] = await tx<{ services: string[] }>`select services from incidents where id = ${incidentId}`;
  return row?.services ?? [];
}

async function writeInjectEntry(deps: AlertDeps, run: DrillRun, inject: Inject, at: Date): Promise<void> {
  if (!deps.docs) return;
  const words = INJECT_WORDS[inject.kind as Exclude<InjectKind, 'alert'>];
  try {
    await deps.docs.runCommand(run.incident.docId, null, {
      kind: 'add-timeline-entry',
      entry: {
        id: injectEntryId(run.id, inject.key),
        kind: words.kind,
        text: `${words.label(inject)}: ${inject.title} (drill inject; in full in the Drill panel)`,
        at: at.toISOString(),
        author: null,
        hypothesisId: null,
        auto: true,
      },
    });
  } catch (error) {
    // The release is committed and the drill panel shows it; only the timeline line is missing.
    deps.log.error({ err: error, incidentId: run.incident.id, drillId: run.id, inject: inject.key }, 'could not write the inject into the war room');
  }
}

/** Releases every scheduled inject whose time on the drill clock has come, in every running, unpaused drill. */
export async function releaseDueInjects(deps: AlertDeps, now = new Date()): Promise<number> {
  let released = 0;
  for (const run of await listTickingRuns(deps.sql)) {
    try {
      released += await releaseDueInRun(deps, run, await scenarioOfVersion(deps.sql, run.scenarioId, run.scenarioVersion), now);
    } catch (error) {
      deps.log.error({ err: error, incidentId: run.incident.id, drillId: run.id }, 'could not release the drill’s scheduled injects');
    }
  }
  return released;
}

export async function releaseDueInRun(deps: AlertDeps, run: DrillRun, scenario: Scenario, now = new Date()): Promise<number> {
  const released = new Set((await listReleases(deps.sql, run.id)).map((r) => r.injectKey));
  let count = 0;
  for (const inject of dueInjects(scenario.injects, released, elapsedAt(run, now))) {
    try {
      if ((await releaseInject(deps, run.id, inject.key, null)) === 'released') count++;
    } catch (error) {
      // Ended or paused between the list and the release: the next tick reads the run again.
      if (error instanceof Refusal) break;
      throw error;
    }
  }
  return count;
}
