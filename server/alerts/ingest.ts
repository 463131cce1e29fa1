/**
 * One delivery of alerts: each is stored (deduplicated) and, when it is new or
 * fires again, routed, in its own transaction; then the war rooms hear about
 * what landed. Repeats only touch their row, so a storm costs one statement per
 * alert and never reaches the timeline.
 */
import type { Sql } from '../db/sql.ts';
import type { Actor } from '../incidents/commands.ts';
import { findIncidentById } from '../incidents/repo.ts';
import { standingIn } from '../incidents/visibility.ts';
import type { LiveDocuments, LiveMirror } from '../incidents/live.ts';
import type { Logger } from '../log.ts';
import type { IncomingAlert } from './incoming.ts';
import { upsertAlert, type StoredAlert } from './repo.ts';
import { routeAlert, type Landing } from './routing.ts';
import { listRules } from './rule-repo.ts';
import { matchRule, type AlertRule } from './rules.ts';

export interface IngestSummary {
  received: number;
  created: number;
  updated: number;
  attached: number;
  declared: number;
  inbox: number;
  /** Refs of the incidents alerts of this delivery landed in, those the poster may see. */
  incidents: string[];
}

export interface AlertDeps {
  sql: Sql;
  /** Mirrors incident events into war rooms (the same one the incident routes use). */
  mirror: LiveMirror;
  docs: LiveDocuments | null;
  log: Logger;
}

// Deterministic per alert, so writing it twice (a retry, a re-attach to the same incident) keeps one entry.
export const alertEntryId = (alertId: string) => `alert-${alertId}`;

export function alertEntryText(alert: Pick<StoredAlert, 'name' | 'summary' | 'url'>): string {
  const what = alert.summary && alert.summary !== alert.name ? `${alert.name}: ${alert.summary}` : alert.name;
  return `Alert ${what}${alert.url ? ` (source: ${alert.url})` : ''}`;
}

/** After the commit: the incident events, then the alert's own timeline entry. */
export async function announce(deps: AlertDeps, landing: Landing, alert: StoredAlert): Promise<void> {
  await deps.mirror.publish(landing.incident, landing.events);
  if (!deps.docs) return;
  try {
    await deps.docs.runCommand(landing.incident.docId, null, {
      kind: 'add-timeline-entry',
      entry: {
        id: alertEntryId(alert.id),
        kind: 'alert',
        text: alertEntryText(alert),
        // A sender clock ahead of ours must not put the line in the future.
        at: new Date(Math.min(alert.startsAt.getTime(), Date.now())).toISOString(),
        author: null,
        hypothesisId: null,
        auto: true,
      },
    });
  } catch (error) {
    // The link is committed and the Alerts panel shows it; only the timeline line is missing.
    deps.log.error({ err: error, incidentId: landing.incident.id, alertId: alert.id }, 'could not write the alert into the war room');
  }
}

export async function ingestAlerts(deps: AlertDeps, actor: Actor, alerts: readonly IncomingAlert[]): Promise<IngestSummary> {
  const summary: IngestSummary = { received: alerts.length, created: 0, updated: 0, attached: 0, declared: 0, inbox: 0, incidents: [] };
  if (alerts.length === 0) return summary;
  // Loaded on the first alert that needs routing: repeats, most of a storm, never read them.
  let rules: AlertRule[] | null = null;
  for (const incoming of alerts) {
    const { alert, routed } = await deps.sql.begin(async (tx) => {
      const { alert, outcome } = await upsertAlert(tx, incoming);
      if (outcome === 'created') summary.created++;
      else summary.updated++;
      const needsRoute = alert.status === 'firing' && (outcome === 'created' || (outcome === 'reopened' && !(await stillOpen(tx, alert.incidentId))));
      if (!needsRoute) return { alert, routed: null };
      rules ??= await listRules(tx);
      return { alert, routed: await routeAlert(tx, actor, matchRule(rules, alert.labels), alert) };
    });
    if (!routed) continue;
    summary[routed.kind]++;
    if (routed.kind === 'inbox') continue;
    const ref = `INC-${routed.incident.number}`;
    // A declare rule's group keeps its incident even after someone made it private; the poster is then not told which.
    if (!summary.incidents.includes(ref) && (await standingIn(deps.sql, actor, await findIncidentById(deps.sql, routed.incident.id)))) summary.incidents.push(ref);
    await announce(deps, routed, alert);
  }
  return summary;
}

/** A re-firing alert stays with its incident while that is open; otherwise it is routed afresh. */
async function stillOpen(tx: Sql, incidentId: string | null): Promise<boolean> {
  if (!incidentId) return false;
  const [row] = await tx<{ open: boolean }>`select state not in ('resolved', 'closed') as open from incidents where id = ${incidentId}`;
  return row?.open ?? false;
}
