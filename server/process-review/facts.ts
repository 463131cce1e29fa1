/**
 * Loads what a process review reads: the last N resolved incidents the viewer
 * may see (drills never: a review is of real incidents), with the hypothesis
 * that held and the war room's timeline.
 */
import * as Y from 'yjs';
import { sqlDocumentStore } from '../collab/storage.ts';
import { frag, join, type Sql } from '../db/sql.ts';
import { hypothesisTimes } from '../hypotheses/times.ts';
import { visibleTo, type Viewer } from '../incidents/search.ts';
import { readTimeline, type TimelineEntry } from '../shared/war-room-doc.ts';
import type { DelayKind, ReviewIncidentFacts } from './review.ts';

export const MAX_REVIEW_INCIDENTS = 20;

export interface ReviewFilter {
  count: number;
  severities?: readonly number[];
  service?: string;
  /** Resolved in [from, to). */
  from?: Date;
  to?: Date;
}

interface Row {
  id: string;
  number: number;
  title: string;
  severity: number;
  services: string[];
  doc_id: string;
  started_at: Date;
  mitigated_at: Date | null;
  resolved_at: Date | null;
}

const SELECT = frag`select i.id, i.number, i.title, i.severity, i.services, i.doc_id, i.started_at, i.mitigated_at, i.resolved_at from incidents i`;

/** The most recently resolved incidents matching the filter, newest first. */
export async function pickIncidents(sql: Sql, viewer: Viewer, filter: ReviewFilter): Promise<string[]> {
  const conditions = [visibleTo(viewer), frag`not i.drill`, frag`i.resolved_at is not null`];
  if (filter.severities?.length) conditions.push(frag`i.severity = any(${filter.severities}::int[])`);
  if (filter.service) conditions.push(frag`i.services @> ${[filter.service]}::text[]`);
  if (filter.from) conditions.push(frag`i.resolved_at >= ${filter.from}`);
  if (filter.to) conditions.push(frag`i.resolved_at < ${filter.to}`);
  const rows = await sql<{ id: string }>`select i.id from incidents i where ${join(conditions, ' and ')} order by i.resolved_at desc, i.number desc limit ${filter.count}`;
  return rows.map((r) => r.id);
}

async function timelineOf(sql: Sql, docId: string): Promise<TimelineEntry[]> {
  const loaded = await sqlDocumentStore(sql).load(docId);
  if (loaded.updates.length === 0) return [];
  const doc = new Y.Doc();
  try {
    for (const update of loaded.updates) Y.applyUpdate(doc, update);
    return readTimeline(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * The facts of these incidents, in the order given, leaving out any the
 * viewer may not see (a saved review may name a private incident) and
 * returning how many were left out.
 */
export async function loadReviewFacts(
  sql: Sql,
  viewer: Viewer,
  incidentIds: readonly string[],
  delays: Readonly<Record<string, { kind: DelayKind; note: string }>>,
): Promise<{ facts: ReviewIncidentFacts[]; hidden: number }> {
  if (incidentIds.length === 0) return { facts: [], hidden: 0 };
  const rows = await sql<Row>`${SELECT} where i.id = any(${incidentIds}::text[]) and ${visibleTo(viewer)}`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const times = await hypothesisTimes(sql, rows.map((r) => r.id));
  const facts: ReviewIncidentFacts[] = [];
  for (const id of incidentIds) {
    const row = byId.get(id);
    if (!row) continue;
    const timing = times.get(id) ?? null;
    facts.push({
      id: row.id,
      number: row.number,
      title: row.title,
      severity: row.severity,
      services: row.services,
      startedAt: row.started_at,
      mitigatedAt: row.mitigated_at,
      resolvedAt: row.resolved_at,
      hypothesis: timing ? { statement: timing.statement, firstWrittenAt: timing.firstWrittenAt, confirmedAt: timing.confirmedAt } : null,
      timeline: await timelineOf(sql, row.doc_id),
      delay: delays[id] ?? null,
    });
  }
  return { facts, hidden: incidentIds.length - facts.length };
}
