/**
 * The quarterly pattern review as pure aggregation: what kinds of problem keep
 * coming back, where, how late we notice, and whether the structural work we
 * promised gets done. Over the quarter's non-drill incidents (by start time)
 * and their latest published postmortems; server/metrics/repo.ts loads the rows.
 */
import { FACTOR_CATEGORIES } from '../shared/postmortem-doc.ts';
import { incidentDurations, missedDueDate, type IncidentFacts } from './definitions.ts';
import type { ReviewedPostmortem, StructuralItemRecord } from './repo.ts';

/** Detection slower than this is a gap worth discussing; so is no detection time at all. */
export const DETECTION_GAP_MS = 30 * 60_000;
/** Structural items still open this long after their postmortem's first publication are flagged (as on /follow-ups). */
export const STRUCTURAL_CHECK_DAYS = 30;
const EXCERPT_CHARS = 280;

export interface IncidentRef {
  ref: string;
  title: string;
  severity: number;
  /** ISO 8601: the review is a report, read as it will be shown. */
  startedAt: string;
}

export interface PatternInput {
  incidents: readonly IncidentFacts[];
  postmortems: readonly ReviewedPostmortem[];
  structuralItems: readonly StructuralItemRecord[];
  now: Date;
}

export interface FactorGroup {
  category: string;
  count: number;
  services: { service: string; count: number; factors: { incident: IncidentRef; description: string }[] }[];
}

export interface DetectionGap {
  incident: IncidentRef;
  /** ms, null when no detection time was recorded. */
  timeToDetect: number | null;
  /** The start of the postmortem's Detection section, '' without a published postmortem. */
  detectionExcerpt: string;
}

export interface StructuralItemView {
  id: string;
  title: string;
  problemCategory: string;
  owner: string | null;
  dueDate: string | null;
  status: StructuralItemRecord['status'];
  overdue: boolean;
  /** Not done 30 days after the postmortem was first published. */
  pastThirtyDayCheck: boolean;
  incident: IncidentRef;
}

export interface PatternReview {
  incidentCount: number;
  factors: FactorGroup[];
  recurringServices: { service: string; incidents: IncidentRef[] }[];
  detectionGaps: DetectionGap[];
  structural: { total: number; done: number; open: number; overdue: number; pastThirtyDayCheck: number; items: StructuralItemView[] };
}

export const refOf = (f: IncidentFacts): IncidentRef => ({ ref: `INC-${f.number}`, title: f.title, severity: f.severity, startedAt: f.startedAt.toISOString() });

/** Cuts at a word boundary and says so with an ellipsis. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

const NO_SERVICE = '(no service)';
const categoryOrder = (c: string) => {
  const i = (FACTOR_CATEGORIES as readonly string[]).indexOf(c);
  return i === -1 ? FACTOR_CATEGORIES.length : i;
};

function groupFactors(incidents: Map<string, IncidentFacts>, postmortems: readonly ReviewedPostmortem[]): FactorGroup[] {
  const groups = new Map<string, Map<string, FactorGroup['services'][number]>>();
  const counts = new Map<string, number>();
  for (const pm of postmortems) {
    const incident = incidents.get(pm.incidentId);
    if (!incident) continue;
    for (const factor of pm.factors) {
      counts.set(factor.category, (counts.get(factor.category) ?? 0) + 1);
      const byService = groups.get(factor.category) ?? new Map();
      groups.set(factor.category, byService);
      // A factor of an incident on two services is a pattern on both.
      for (const service of incident.services.length ? incident.services : [NO_SERVICE]) {
        const entry = byService.get(service) ?? { service, count: 0, factors: [] };
        entry.count++;
        entry.factors.push({ incident: refOf(incident), description: factor.description });
        byService.set(service, entry);
      }
    }
  }
  return [...groups.entries()]
    .map(([category, byService]) => ({
      category,
      count: counts.get(category) ?? 0,
      services: [...byService.values()].sort((a, b) => b.count - a.count || a.service.localeCompare(b.service)),
    }))
    .sort((a, b) => b.count - a.count || categoryOrder(a.category) - categoryOrder(b.category));
}

function recurringServices(incidents: readonly IncidentFacts[]) {
  const byService = new Map<string, IncidentFacts[]>();
  for (const f of incidents) for (const s of f.services) byService.set(s, [...(byService.get(s) ?? []), f]);
  return [...byService.entries()]
    .filter(([, list]) => list.length >= 2)
    .map(([service, list]) => ({ service, incidents: list.map(refOf) }))
    .sort((a, b) => b.incidents.length - a.incidents.length || a.service.localeCompare(b.service));
}

export function reviewQuarter(input: PatternInput): PatternReview {
  const incidents = [...input.incidents].filter((f) => !f.drill).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.number - b.number);
  const byId = new Map(incidents.map((f) => [f.id, f]));
  const postmortems = input.postmortems.filter((p) => byId.has(p.incidentId));
  const pmById = new Map(postmortems.map((p) => [p.incidentId, p]));

  const detectionGaps = incidents
    .map((f) => ({ f, ttd: incidentDurations(f).timeToDetect }))
    .filter(({ ttd }) => ttd === null || ttd > DETECTION_GAP_MS)
    // Unknown detection first: it is the bigger gap, we do not even know.
    .sort((a, b) => (a.ttd === null ? -1 : b.ttd === null ? 1 : b.ttd - a.ttd))
    .map(({ f, ttd }) => ({ incident: refOf(f), timeToDetect: ttd, detectionExcerpt: excerpt(pmById.get(f.id)?.detection ?? '') }));

  const items: StructuralItemView[] = input.structuralItems
    .filter((i) => byId.has(i.incidentId))
    .map((i) => {
      const published = pmById.get(i.incidentId)?.firstPublishedAt;
      const open = i.status === 'open' || i.status === 'in_progress';
      const facts = { ...i, kind: 'structural' as const, drill: false, createdAt: published ?? input.now };
      return {
        id: i.id,
        title: i.title,
        problemCategory: i.problemCategory,
        owner: i.owner,
        dueDate: i.dueDate,
        status: i.status,
        overdue: open && missedDueDate(facts, input.now),
        pastThirtyDayCheck: open && !!published && input.now.getTime() - published.getTime() >= STRUCTURAL_CHECK_DAYS * 86_400_000,
        incident: refOf(byId.get(i.incidentId)!),
      };
    });

  return {
    incidentCount: incidents.length,
    factors: groupFactors(byId, postmortems),
    recurringServices: recurringServices(incidents),
    detectionGaps,
    structural: {
      total: items.length,
      done: items.filter((i) => i.status === 'done').length,
      open: items.filter((i) => i.status === 'open' || i.status === 'in_progress').length,
      overdue: items.filter((i) => i.overdue).length,
      pastThirtyDayCheck: items.filter((i) => i.pastThirtyDayCheck).length,
      items,
    },
  };
}
