/** Loads what the debrief is computed from (debrief.ts): the record of the drill incident and the facilitator's tables. */
import { listUpdates } from '../comms/updates.ts';
import type { Sql } from '../db/sql.ts';
import { loadBoardHistory } from '../hypotheses/board-history.ts';
import { listEvents } from '../incidents/events.ts';
import { findIncidentById } from '../incidents/repo.ts';
import type { Viewer } from '../incidents/search.ts';
import { listActionItems } from '../postmortem/action-items.ts';
import { findRunbook } from '../runbooks/repo.ts';
import type { DebriefFacts, Person } from './debrief.ts';
import { listObservations, listReleases, listRunbookOpens, type DrillRun } from './run-repo.ts';
import { scenarioOfVersion } from './scenario-cache.ts';

const person = (named: { id: string; name: string } | null): Person | null => (named ? { id: named.id, displayName: named.name } : null);

export async function loadDebriefFacts(sql: Sql, viewer: Viewer, run: DrillRun): Promise<DebriefFacts> {
  const incident = (await findIncidentById(sql, run.incident.id))!;
  const [scenario, events, updates, cards, releases, opens, observations, findings] = await Promise.all([
    scenarioOfVersion(sql, run.scenarioId, run.scenarioVersion),
    listEvents(sql, incident.id),
    listUpdates(sql, incident.id, null, 1000),
    loadBoardHistory(sql, incident.docId),
    listReleases(sql, run.id),
    listRunbookOpens(sql, run.id),
    listObservations(sql, run.id),
    listActionItems(sql, viewer, { incidentNumber: incident.number, origin: { kind: 'debrief', id: run.id } }),
  ]);
  const roles: DebriefFacts['roles'] = [];
  let resolvedBy: string | null = null;
  for (const event of events) {
    if (event.kind === 'declared') roles.push({ role: 'commander', to: person(event.data.commander), at: event.at });
    if (event.kind === 'role') roles.push({ role: event.data.role, to: person(event.data.to), at: event.at });
    if (event.kind === 'state' && event.data.to === 'resolved') resolvedBy = event.actor?.id ?? null;
  }
  const expected = scenario.runbook ? await findRunbook(sql, viewer, scenario.runbook) : null;
  const stamps = await sql<{ runbook_id: string; at: Date; by_id: string | null; by_name: string | null }>`
    select u.runbook_id, u.at, u.by_id, b.display_name as by_name
    from runbook_uses u left join users b on b.id = u.by_id
    where u.incident_id = ${incident.id} and u.kind = 'used' order by u.at`;
  const authorIds = [...new Set(cards.map((c) => c.createdBy).filter((id): id is string => id !== null))];
  const names = authorIds.length ? await sql<{ id: string; display_name: string }>`select id, display_name from users where id = any(${authorIds}::text[])` : [];
  return {
    scenario,
    clock: { startedAt: run.startedAt, pauses: run.pauses, endedAt: run.endedAt },
    facilitator: run.facilitator,
    incident: {
      ref: `INC-${incident.number}`,
      startedAt: incident.startedAt,
      declaredAt: incident.declaredAt,
      acknowledgedAt: incident.acknowledgedAt,
      mitigatedAt: incident.mitigatedAt,
      resolvedAt: incident.resolvedAt,
    },
    resolvedBy,
    roles,
    updates: updates.map((u) => ({ audience: u.audience, at: u.publishedAt, author: u.authorName })),
    cards,
    correctHypothesisId: run.correctHypothesisId,
    releases: releases.map((r) => ({ injectKey: r.injectKey, at: r.releasedAt, by: r.releasedBy, routing: r.delivery.routing ?? null })),
    expectedRunbook: expected ? { id: expected.id, slug: expected.slug, title: expected.title } : null,
    runbookOpens: opens.map((o) => ({ runbookId: o.runbookId, slug: o.slug, title: o.title, user: o.user, at: o.at })),
    runbookStamps: stamps.map((s) => ({ runbookId: s.runbook_id, at: s.at, by: s.by_id ? { id: s.by_id, displayName: s.by_name ?? 'Unknown' } : null })),
    runbookHelped: run.runbookHelped,
    runbookNote: run.runbookNote,
    observations: observations.map((o) => ({ at: o.at, author: o.author, text: o.text })),
    findings: findings.map((f) => ({ id: f.id, title: f.title, owner: f.owner, dueDate: f.dueDate, kind: f.kind, status: f.status })),
    people: Object.fromEntries(names.map((n) => [n.id, n.display_name])),
  };
}
