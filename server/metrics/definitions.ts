/**
 * Every reliability metric, defined once: what it means in words (shown on
 * /metrics behind "What is this?", served by the API so the page and this
 * file cannot disagree) and how it is computed, as pure functions over plain
 * rows. server/metrics/repo.ts loads the rows; nothing here touches the database.
 *
 * Decisions written down here so they are not rediscovered in a review:
 * - Drills never count: the caller passes them in and they are dropped here.
 * - Incidents belong to the period of their start (started_at), action items
 *   to the period of the event counted (created, done, due).
 * - Percentiles are nearest-rank: sort ascending, take the value at rank
 *   ceil(p/100 × n). No interpolation, so every figure is a real incident's
 *   duration; the median of an even count is the lower middle value.
 * - A duration whose start or end is missing, or whose end is before its
 *   start, is left out of that metric and counted as "not recorded".
 * - Detection is one field, detected_at, read alike by /metrics, /patterns,
 *   the war room's key times and the postmortem's Impact and Detection
 *   sections. It starts as the time given at declaration (or not recorded);
 *   an alert a monitoring system sent moves it earlier when it fired before
 *   the declaration and before the recorded time (an alert after the
 *   declaration detected nothing: someone already had); the commander may
 *   correct it to any time that keeps the order, and the correction stands
 *   until an earlier alert arrives. The declaration itself and alerts people
 *   type into the timeline never set it; a typed alert that disagrees is put
 *   to the commander in the war room. started ≤ detected ≤ declared always
 *   holds: an alert that fired before the recorded start moves the start
 *   too (server/shared/milestones.ts).
 * - Acknowledged is when the first person took the incident by hand:
 *   declared it in the browser, joined as a responder, claimed or assigned a
 *   role, commanded it, or pressed Acknowledge. Scripts, API tokens and alert
 *   rules never acknowledge, so an incident an alert declared waits for a
 *   person like any page would.
 * - The correct hypothesis is the card that stands confirmed on the board at
 *   the end (when several do, the one written first), and it counts from the
 *   moment the card was written: the question a process review asks is how
 *   long the team had the right explanation before the fix landed. Times come
 *   from the server's change log, not the browsers' clocks.
 * - Recurrence matches on the pair service + contributing-factor category:
 *   the same kind of problem on the same service. Services alone made nearly
 *   every incident a recurrence (busy services always have a recent
 *   postmortem), which carried no signal. An incident is classified by its own
 *   published postmortem's categories, so incidents without one (or whose
 *   postmortem names no factor) are "not recorded", like a missing time.
 */
import { bucketOf, bucketsBetween, type Bucket, type Period } from './periods.ts';
import type { ActionItemPoint, DurationPoint, KindSplit, RatioPoint } from '../shared/metric-points.ts';

export type { ActionItemPoint, DurationPoint, KindSplit, RatioPoint };

export interface IncidentFacts {
  id: string;
  number: number;
  title: string;
  severity: number;
  services: readonly string[];
  drill: boolean;
  startedAt: Date;
  detectedAt: Date | null;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  mitigatedAt: Date | null;
  /** The final resolution: reopening clears it and resolving again sets it anew. */
  resolvedAt: Date | null;
  closedAt: Date | null;
  /** Times it went from resolved or closed back to an active state. */
  reopenCount: number;
  /** First publication of its postmortem. */
  postmortemPublishedAt: Date | null;
  /** Contributing-factor categories of its latest published postmortem version; empty without one. */
  postmortemCategories: readonly string[];
  /**
   * When the hypothesis finally confirmed on its board was first written
   * (server time, from the war room's change log: server/hypotheses/); null
   * when no hypothesis stands confirmed.
   */
  hypothesisWrittenAt: Date | null;
}

/** A published postmortem that may make a later incident a recurrence. */
export interface PublishedPostmortem {
  incidentId: string;
  services: readonly string[];
  /** Contributing-factor categories of its latest published version. */
  categories: readonly string[];
  drill: boolean;
  /** First publication. */
  publishedAt: Date;
}

export interface ActionItemFacts {
  id: string;
  incidentId: string;
  /** Its incident was a drill. */
  drill: boolean;
  kind: 'immediate' | 'structural';
  status: 'open' | 'in_progress' | 'done' | 'wont_do';
  createdAt: Date;
  /** YYYY-MM-DD; due at the end of that day, UTC. */
  dueDate: string | null;
  doneAt: Date | null;
}

export type Unit = 'count' | 'duration' | 'ratio' | 'action-items';

export interface MetricInfo {
  id: MetricId;
  name: string;
  unit: Unit;
  definition: string;
}

export const RECURRENCE_WINDOW_DAYS = 90;
const DAY = 86_400_000;

// --- primitives --------------------------------------------------------------

/** Nearest-rank percentile of unsorted values (0 < p ≤ 100); null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const between = (start: Date | null, end: Date | null): number | null => {
  if (!start || !end) return null;
  const ms = end.getTime() - start.getTime();
  return ms >= 0 ? ms : null;
};

/** One incident's durations in milliseconds, null where not recorded. The CSV export shows exactly these. */
export function incidentDurations(f: IncidentFacts) {
  return {
    timeToDetect: between(f.startedAt, f.detectedAt),
    timeToAcknowledge: between(f.declaredAt, f.acknowledgedAt),
    timeToResolve: between(f.startedAt, f.resolvedAt),
    timeToPostmortem: between(f.resolvedAt, f.postmortemPublishedAt),
    hypothesisToResolve: between(f.hypothesisWrittenAt, f.resolvedAt),
  };
}
type DurationField = keyof ReturnType<typeof incidentDurations>;

/** Whether an incident can be classified for recurrence: its own postmortem is published and names a factor category. */
export const recurrenceRecorded = (f: IncidentFacts) => f.postmortemPublishedAt !== null && f.postmortemCategories.length > 0;

const pairKey = (service: string, category: string) => `${service}\u0000${category}`;

/**
 * Builds the recurrence test over a set of published postmortems: an incident
 * recurs when, in the 90 days before it started, a postmortem was published
 * for another incident sharing one of its services AND one of the factor
 * categories of its own published postmortem. Its own postmortem never counts
 * (it is published after it started anyway), nor do drills'. Answers null for
 * an incident that cannot be classified (see recurrenceRecorded). Indexed by
 * (service, category) and publication time, so 10,000 incidents stay fast.
 */
export function recurrenceTest(published: readonly PublishedPostmortem[]): (f: IncidentFacts) => boolean | null {
  const byPair = new Map<string, { at: number; incidentId: string }[]>();
  for (const p of published) {
    if (p.drill) continue;
    for (const s of new Set(p.services)) {
      for (const c of new Set(p.categories)) {
        const list = byPair.get(pairKey(s, c)) ?? [];
        list.push({ at: p.publishedAt.getTime(), incidentId: p.incidentId });
        byPair.set(pairKey(s, c), list);
      }
    }
  }
  for (const list of byPair.values()) list.sort((a, b) => a.at - b.at);
  return (f) => {
    if (!recurrenceRecorded(f)) return null;
    const start = f.startedAt.getTime();
    const since = start - RECURRENCE_WINDOW_DAYS * DAY;
    for (const service of f.services) {
      for (const category of f.postmortemCategories) {
        const list = byPair.get(pairKey(service, category));
        if (!list) continue;
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (list[mid].at < since) lo = mid + 1;
          else hi = mid;
        }
        for (let i = lo; i < list.length && list[i].at < start; i++) if (list[i].incidentId !== f.id) return true;
      }
    }
    return false;
  };
}

export const isRecurrence = (f: IncidentFacts, published: readonly PublishedPostmortem[]) => recurrenceTest(published)(f);

const endOfDueDate = (dueDate: string) => new Date(`${dueDate}T23:59:59.999Z`);

/** Not done by the end of its due day: still open past it, or done later. Won't-do items are never overdue. */
export function missedDueDate(item: ActionItemFacts, now: Date): boolean {
  if (!item.dueDate || item.status === 'wont_do') return false;
  const due = endOfDueDate(item.dueDate);
  if (item.status === 'done') return !!item.doneAt && item.doneAt > due;
  return now > due;
}

// --- the metrics ---------------------------------------------------------------

export const METRICS = [
  {
    id: 'incident_count',
    name: 'Incidents',
    unit: 'count',
    definition:
      'Incidents that started in the period (by their start time, not when they were declared). Drills are never counted. Reopened incidents count once.',
  },
  {
    id: 'mttd',
    name: 'Time to detect (MTTD)',
    unit: 'duration',
    definition:
      'Detected minus started: how long the problem ran before anyone or anything noticed. Detected is the time given when declaring or corrected by the commander, moved earlier by any alert a monitoring system sent before the incident was declared; the declaration itself and alerts typed into the timeline never set it. Shown as the median and the 90th percentile (nearest rank: the value at position ceil(p × n) of the sorted durations, so every figure is a real incident). Incidents with no detection time recorded are left out and counted as "not recorded".',
  },
  {
    id: 'mtta',
    name: 'Time to acknowledge (MTTA)',
    unit: 'duration',
    definition:
      'Acknowledged minus declared: how long a declared incident waited for a person to take it (declare it by hand, join as a responder, claim a role, command it or press Acknowledge; scripts and alert rules never acknowledge). Median and 90th percentile (nearest rank). Incidents never acknowledged are left out and counted as "not recorded".',
  },
  {
    id: 'mttr',
    name: 'Time to resolve (MTTR)',
    unit: 'duration',
    definition:
      'Resolved minus started: the whole outage as users felt it, from the first symptom to the fix. For a reopened incident this is its final resolution, so the time it spent reopened is included. Unresolved incidents are left out and counted as "not recorded". Median and 90th percentile (nearest rank).',
  },
  {
    id: 'time_to_postmortem',
    name: 'Time to postmortem',
    unit: 'duration',
    definition:
      'First publication of the postmortem minus resolution: how long the learning took to be written down and agreed. Incidents without a published postmortem yet are counted as "not recorded". Median and 90th percentile (nearest rank), by the period the incident started in.',
  },
  {
    id: 'hypothesis_to_resolve',
    name: 'Time from correct hypothesis to resolution',
    unit: 'duration',
    definition:
      'Resolved minus the moment the correct hypothesis was first written on the board: how long the team had the right explanation before the fix landed. The correct hypothesis is the card that stands confirmed at the end (when several do, the one written first); its time is when the card was first written, read from the war room\u2019s change history on the server, not from anyone\u2019s clock. A long time here points at a delay after diagnosis (an escalation, an approval, one person\u2019s knowledge), not at slow diagnosis. Incidents with no confirmed hypothesis, or not resolved, are left out and counted as "not recorded". Median and 90th percentile (nearest rank).',
  },
  {
    id: 'recurrence_rate',
    name: 'Recurrence rate',
    unit: 'ratio',
    definition:
      'Share of the period\u2019s incidents that were the same kind of problem on the same service as one we had already written up: in the 90 days before the incident started, a postmortem was published for another incident that shares one of its services and one of the contributing-factor categories (technical, process, human factors, tooling) of this incident\u2019s own published postmortem. Incidents without a published postmortem naming a contributing factor cannot be classified: they are left out of the rate and counted as "not recorded". Drills never count, on either side.',
  },
  {
    id: 'action_items',
    name: 'Action items',
    unit: 'action-items',
    definition:
      'Follow-up work from published postmortems, split into immediate fixes and structural changes. Created: items created in the period. Done: items marked done in the period. Overdue: items due in the period that were not done by the end of their due day (still open past it, or done late); items marked won\u2019t do are never overdue.',
  },
] as const satisfies readonly { id: string; name: string; unit: Unit; definition: string }[];

export type MetricId = (typeof METRICS)[number]['id'];

export interface MetricsInput {
  period: Period;
  from: Date;
  /** Exclusive. */
  to: Date;
  now: Date;
  incidents: readonly IncidentFacts[];
  /** Postmortems published up to 90 days before `from`, for recurrence. */
  published: readonly PublishedPostmortem[];
  actionItems: readonly ActionItemFacts[];
}

export interface MetricsResult {
  buckets: Bucket[];
  incident_count: number[];
  mttd: DurationPoint[];
  mtta: DurationPoint[];
  mttr: DurationPoint[];
  time_to_postmortem: DurationPoint[];
  hypothesis_to_resolve: DurationPoint[];
  recurrence_rate: RatioPoint[];
  action_items: ActionItemPoint[];
}

export function durationPoint(incidents: readonly IncidentFacts[], field: DurationField): DurationPoint {
  const values = incidents.map((f) => incidentDurations(f)[field]).filter((v): v is number => v !== null);
  return { median: percentile(values, 50), p90: percentile(values, 90), measured: values.length, notRecorded: incidents.length - values.length };
}

export function recurrencePoint(incidents: readonly IncidentFacts[], recurs: (f: IncidentFacts) => boolean | null): RatioPoint {
  let recurring = 0;
  let measured = 0;
  for (const f of incidents) {
    const answer = recurs(f);
    if (answer === null) continue;
    measured++;
    if (answer) recurring++;
  }
  return { recurring, measured, notRecorded: incidents.length - measured, rate: measured ? recurring / measured : null };
}

const split = (): KindSplit => ({ immediate: 0, structural: 0 });
const inBucket = (date: Date | null, bucket: Bucket) => !!date && date >= bucket.start && date < bucket.end;

export function actionItemPoint(items: readonly ActionItemFacts[], bucket: Bucket, now: Date): ActionItemPoint {
  const point = { created: split(), done: split(), overdue: split() };
  for (const item of items) {
    if (inBucket(item.createdAt, bucket)) point.created[item.kind]++;
    if (item.status === 'done' && inBucket(item.doneAt, bucket)) point.done[item.kind]++;
    if (item.dueDate && inBucket(endOfDueDate(item.dueDate), bucket) && missedDueDate(item, now)) point.overdue[item.kind]++;
  }
  return point;
}

/** Non-drill incidents that started in [from, to). */
export function countedIncidents(incidents: readonly IncidentFacts[], from: Date, to: Date): IncidentFacts[] {
  return incidents.filter((f) => !f.drill && f.startedAt >= from && f.startedAt < to);
}

/** Every metric, one point per period bucket between `from` and `to`. */
export function computeMetrics(input: MetricsInput): MetricsResult {
  const buckets = bucketsBetween(input.from, input.to, input.period);
  const counted = countedIncidents(input.incidents, input.from, input.to);
  const byBucket = new Map<string, IncidentFacts[]>(buckets.map((b) => [b.key, []]));
  for (const f of counted) byBucket.get(bucketOf(f.startedAt, input.period).key)?.push(f);
  const items = input.actionItems.filter((i) => !i.drill);
  const recurs = recurrenceTest(input.published);
  const per = (fn: (incidents: IncidentFacts[], bucket: Bucket) => unknown) => buckets.map((b) => fn(byBucket.get(b.key) ?? [], b));
  return {
    buckets,
    incident_count: per((list) => list.length) as number[],
    mttd: per((list) => durationPoint(list, 'timeToDetect')) as DurationPoint[],
    mtta: per((list) => durationPoint(list, 'timeToAcknowledge')) as DurationPoint[],
    mttr: per((list) => durationPoint(list, 'timeToResolve')) as DurationPoint[],
    time_to_postmortem: per((list) => durationPoint(list, 'timeToPostmortem')) as DurationPoint[],
    hypothesis_to_resolve: per((list) => durationPoint(list, 'hypothesisToResolve')) as DurationPoint[],
    recurrence_rate: per((list) => recurrencePoint(list, recurs)) as RatioPoint[],
    action_items: buckets.map((b) => actionItemPoint(items, b, input.now)),
  };
}
