import { describe, expect, it } from 'vitest';
import {
  actionItemPoint,
  computeMetrics,
  durationPoint,
  incidentDurations,
  isRecurrence,
  METRICS,
  missedDueDate,
  percentile,
  recurrencePoint,
  recurrenceTest,
  type ActionItemFacts,
  type IncidentFacts,
  type PublishedPostmortem,
} from '../../server/metrics/definitions.ts';
import { bucketOf } from '../../server/metrics/periods.ts';

const MIN = 60_000;
const at = (iso: string) => new Date(iso);
const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * MIN);

let n = 0;
/** An incident started at `start`, detected 10 min later, declared at 15, acknowledged at 17, resolved at 75. */
function incident(start: string, over: Partial<IncidentFacts> = {}): IncidentFacts {
  const startedAt = at(start);
  n++;
  return {
    id: `i${n}`,
    number: n,
    title: `Incident ${n}`,
    severity: 2,
    services: ['payments'],
    drill: false,
    startedAt,
    detectedAt: plus(startedAt, 10),
    declaredAt: plus(startedAt, 15),
    acknowledgedAt: plus(startedAt, 17),
    mitigatedAt: plus(startedAt, 45),
    resolvedAt: plus(startedAt, 75),
    closedAt: null,
    reopenCount: 0,
    postmortemPublishedAt: null,
    postmortemCategories: [],
    hypothesisWrittenAt: null,
    ...over,
  };
}

function item(over: Partial<ActionItemFacts>): ActionItemFacts {
  return { id: `a${++n}`, incidentId: 'i1', drill: false, kind: 'immediate', status: 'open', createdAt: at('2026-03-02T10:00:00Z'), dueDate: null, doneAt: null, ...over };
}

describe('percentile (nearest rank)', () => {
  it('takes the value at rank ceil(p × n) of the sorted values', () => {
    const values = [50, 10, 40, 20, 30];
    expect(percentile(values, 50)).toBe(30); // rank 3
    expect(percentile(values, 90)).toBe(50); // rank ceil(4.5) = 5
    expect(percentile([15, 20, 35, 40, 50], 30)).toBe(20); // the textbook example: rank ceil(1.5) = 2
  });

  it('gives the lower middle value as the median of an even count, never an interpolated one', () => {
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });

  it('is null with no values and the only value with one', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 90)).toBe(7);
  });

  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('incident durations', () => {
  it('measures detect from start, acknowledge from declaration, resolve from start, postmortem from resolution', () => {
    const f = incident('2026-03-02T10:00:00Z', { postmortemPublishedAt: at('2026-03-04T10:00:00Z') });
    expect(incidentDurations(f)).toEqual({
      timeToDetect: 10 * MIN,
      timeToAcknowledge: 2 * MIN,
      timeToResolve: 75 * MIN,
      timeToPostmortem: 2 * 24 * 60 * MIN - 75 * MIN,
      hypothesisToResolve: null,
    });
  });

  it('measures from the correct hypothesis being written to resolution, leaving out incidents without one', () => {
    // Resolved 75 min after the start in each. Hypotheses written at +30 (45 left), +70 (5 left), none, and +20 but unresolved.
    const incidents = [
      incident('2026-03-02T10:00:00Z', { hypothesisWrittenAt: at('2026-03-02T10:30:00Z') }),
      incident('2026-03-02T12:00:00Z', { hypothesisWrittenAt: at('2026-03-02T13:10:00Z') }),
      incident('2026-03-02T14:00:00Z'),
      incident('2026-03-02T16:00:00Z', { hypothesisWrittenAt: at('2026-03-02T16:20:00Z'), resolvedAt: null }),
    ];
    expect(incidentDurations(incidents[0]).hypothesisToResolve).toBe(45 * MIN);
    // Nearest rank over [5, 45]: median rank ceil(1) = 5 min, p90 rank ceil(1.8) = 45 min.
    expect(durationPoint(incidents, 'hypothesisToResolve')).toEqual({ median: 5 * MIN, p90: 45 * MIN, measured: 2, notRecorded: 2 });
  });

  it('leaves out a missing detection time and counts it as not recorded', () => {
    const incidents = [incident('2026-03-02T10:00:00Z', { detectedAt: null }), incident('2026-03-02T12:00:00Z'), incident('2026-03-03T12:00:00Z', { detectedAt: at('2026-03-03T12:30:00Z') })];
    expect(durationPoint(incidents, 'timeToDetect')).toEqual({ median: 10 * MIN, p90: 30 * MIN, measured: 2, notRecorded: 1 });
  });

  it('leaves out unresolved incidents from time to resolve', () => {
    const incidents = [incident('2026-03-02T10:00:00Z', { resolvedAt: null }), incident('2026-03-02T12:00:00Z')];
    expect(durationPoint(incidents, 'timeToResolve')).toEqual({ median: 75 * MIN, p90: 75 * MIN, measured: 1, notRecorded: 1 });
  });

  it('uses a reopened incident’s final resolution, so the time reopened counts', () => {
    // Resolved after 75 minutes, reopened the next day, resolved for good 26 hours after it started.
    const reopened = incident('2026-03-02T10:00:00Z', { reopenCount: 1, resolvedAt: at('2026-03-03T12:00:00Z') });
    expect(incidentDurations(reopened).timeToResolve).toBe(26 * 60 * MIN);
  });

  it('treats an end before its start as not recorded rather than a negative duration', () => {
    const f = incident('2026-03-02T10:00:00Z', { detectedAt: at('2026-03-02T09:00:00Z') });
    expect(incidentDurations(f).timeToDetect).toBeNull();
  });

  it('counts never-acknowledged incidents as not recorded for MTTA', () => {
    expect(durationPoint([incident('2026-03-02T10:00:00Z', { acknowledgedAt: null })], 'timeToAcknowledge')).toEqual({ median: null, p90: null, measured: 0, notRecorded: 1 });
  });
});

describe('recurrence', () => {
  const pm = (services: string[], categories: string[], publishedAt: string, over: Partial<PublishedPostmortem> = {}): PublishedPostmortem => ({
    incidentId: 'earlier',
    services,
    categories,
    drill: false,
    publishedAt: at(publishedAt),
    ...over,
  });
  /** An incident started 1 June 2026 whose own postmortem (published 10 June) names these categories. */
  const written = (categories: string[], over: Partial<IncidentFacts> = {}) =>
    incident('2026-06-01T00:00:00Z', { postmortemPublishedAt: at('2026-06-10T00:00:00Z'), postmortemCategories: categories, ...over });

  it('does not recur when the earlier postmortem on the same service had a different factor category', () => {
    const f = written(['technical']);
    expect(isRecurrence(f, [pm(['payments'], ['process', 'tooling'], '2026-05-01T00:00:00Z')])).toBe(false);
  });

  it('recurs when a postmortem on the same service with the same category was published within the 90 days before it started', () => {
    const f = written(['process', 'technical'], { services: ['payments', 'db'] });
    expect(isRecurrence(f, [pm(['db'], ['technical'], '2026-03-05T00:00:00Z')])).toBe(true); // 88 days before
    expect(isRecurrence(f, [pm(['db'], ['technical'], '2026-03-03T00:00:00Z')])).toBe(true); // exactly 90 days before
    expect(isRecurrence(f, [pm(['db'], ['technical'], '2026-06-01T00:00:01Z')])).toBe(false); // published after it started
  });

  it('does not recur 91 days later', () => {
    const f = written(['technical']);
    expect(isRecurrence(f, [pm(['payments'], ['technical'], '2026-03-02T00:00:00Z')])).toBe(false); // 91 days before
    expect(isRecurrence(f, [pm(['payments'], ['technical'], '2026-03-02T23:59:59Z')])).toBe(false); // 90 days and a second
  });

  it('needs the service and the category on the same earlier postmortem, not one from each', () => {
    const f = written(['technical'], { services: ['payments'] });
    expect(isRecurrence(f, [pm(['search'], ['technical'], '2026-05-01T00:00:00Z'), pm(['payments'], ['process'], '2026-05-02T00:00:00Z')])).toBe(false);
  });

  it('cannot classify an incident without a published postmortem naming a factor: not recorded', () => {
    const earlier = [pm(['payments'], ['technical'], '2026-05-01T00:00:00Z')];
    const unpublished = incident('2026-06-01T00:00:00Z');
    const noFactors = written([]);
    expect(isRecurrence(unpublished, earlier)).toBeNull();
    expect(isRecurrence(noFactors, earlier)).toBeNull();
    const point = recurrencePoint([unpublished, noFactors, written(['technical']), written(['human_factors'])], recurrenceTest(earlier));
    // Two classified, one of them recurring; the rate leaves the unclassified out rather than counting them as "did not recur".
    expect(point).toEqual({ recurring: 1, measured: 2, notRecorded: 2, rate: 0.5 });
  });

  it('never counts the incident’s own postmortem or a drill’s', () => {
    const f = written(['technical']);
    expect(isRecurrence(f, [pm(['payments'], ['technical'], '2026-05-01T00:00:00Z', { incidentId: f.id })])).toBe(false);
    expect(isRecurrence(f, [pm(['payments'], ['technical'], '2026-05-01T00:00:00Z', { drill: true })])).toBe(false);
  });

  it('never counts a drill among the period’s incidents either', () => {
    const result = computeMetrics({
      period: 'month',
      from: at('2026-06-01T00:00:00Z'),
      to: at('2026-07-01T00:00:00Z'),
      now: at('2026-07-01T00:00:00Z'),
      incidents: [written(['technical'], { drill: true }), written(['technical'])],
      published: [pm(['payments'], ['technical'], '2026-05-01T00:00:00Z')],
      actionItems: [],
    });
    expect(result.recurrence_rate).toEqual([{ recurring: 1, measured: 1, notRecorded: 0, rate: 1 }]);
  });

  it('finds a match among many publications on the same service and category, wherever it sits in time', () => {
    const f = written(['technical'], { services: ['db'] });
    const many = [
      ...Array.from({ length: 50 }, (_, i) => pm(['db'], ['technical'], new Date(Date.UTC(2025, 0, 1 + i)).toISOString())), // long before
      pm(['db'], ['technical'], '2026-04-15T00:00:00Z', { incidentId: f.id }), // its own: never counts
      pm(['db'], ['process'], '2026-04-16T00:00:00Z', { incidentId: 'other' }), // other category
      ...Array.from({ length: 50 }, (_, i) => pm(['db'], ['technical'], new Date(Date.UTC(2026, 5, 2 + i)).toISOString())), // after it started
    ];
    expect(isRecurrence(f, many)).toBe(false);
    expect(isRecurrence(f, [...many, pm(['db', 'cache'], ['tooling', 'technical'], '2026-04-20T00:00:00Z', { incidentId: 'other' })])).toBe(true);
  });

  it('is a share of the classified incidents, null when none could be classified', () => {
    const published = [pm(['payments'], ['technical'], '2026-05-01T00:00:00Z')];
    const incidents = [written(['technical']), written(['technical'], { services: ['search'] })];
    expect(recurrencePoint(incidents, recurrenceTest(published))).toEqual({ recurring: 1, measured: 2, notRecorded: 0, rate: 0.5 });
    expect(recurrencePoint([], recurrenceTest(published))).toEqual({ recurring: 0, measured: 0, notRecorded: 0, rate: null });
    expect(recurrencePoint([incident('2026-06-01T00:00:00Z')], recurrenceTest(published))).toEqual({ recurring: 0, measured: 0, notRecorded: 1, rate: null });
  });

  it('says in its definition what it matches on and what is not recorded', () => {
    const text = METRICS.find((m) => m.id === 'recurrence_rate')!.definition;
    expect(text).toMatch(/service/);
    expect(text).toMatch(/contributing-factor categor/);
    expect(text).toMatch(/90 days/);
    expect(text).toMatch(/not recorded/);
  });
});

describe('action items', () => {
  const week = bucketOf(at('2026-03-04T00:00:00Z'), 'week'); // Mon 2 – Sun 8 March 2026
  const now = at('2026-03-20T00:00:00Z');

  it('is overdue when not done by the end of its due day; won’t-do never is', () => {
    expect(missedDueDate(item({ dueDate: '2026-03-05' }), now)).toBe(true);
    expect(missedDueDate(item({ dueDate: '2026-03-05' }), at('2026-03-05T23:00:00Z'))).toBe(false);
    expect(missedDueDate(item({ dueDate: '2026-03-05', status: 'done', doneAt: at('2026-03-05T23:30:00Z') }), now)).toBe(false);
    expect(missedDueDate(item({ dueDate: '2026-03-05', status: 'done', doneAt: at('2026-03-06T09:00:00Z') }), now)).toBe(true);
    expect(missedDueDate(item({ dueDate: '2026-03-05', status: 'wont_do' }), now)).toBe(false);
    expect(missedDueDate(item({ dueDate: null }), now)).toBe(false);
  });

  it('counts created, done and overdue in the period, split into immediate and structural', () => {
    const items = [
      item({ kind: 'immediate', createdAt: at('2026-03-02T10:00:00Z'), status: 'done', doneAt: at('2026-03-03T10:00:00Z'), dueDate: '2026-03-04' }),
      item({ kind: 'structural', createdAt: at('2026-03-02T10:00:00Z'), dueDate: '2026-03-08' }), // overdue by `now`
      item({ kind: 'structural', createdAt: at('2026-02-20T10:00:00Z'), status: 'done', doneAt: at('2026-03-08T23:00:00Z') }),
      item({ kind: 'structural', createdAt: at('2026-03-09T00:00:00Z'), dueDate: '2026-03-01' }), // due the week before
      item({ kind: 'immediate', createdAt: at('2026-03-02T10:00:00Z'), status: 'in_progress', dueDate: '2026-03-12' }),
    ];
    expect(actionItemPoint(items, week, now)).toEqual({
      created: { immediate: 2, structural: 1 },
      done: { immediate: 1, structural: 1 },
      overdue: { immediate: 0, structural: 1 },
    });
  });
});

describe('computeMetrics', () => {
  it('buckets incidents by start into ISO weeks with quiet weeks as zero, and never counts drills', () => {
    const incidents = [
      incident('2026-03-02T00:00:00Z'), // Monday: week 10
      incident('2026-03-08T23:59:59Z', { detectedAt: plus(at('2026-03-08T23:59:59Z'), 40) }), // Sunday: still week 10
      incident('2026-03-04T00:00:00Z', { drill: true, detectedAt: plus(at('2026-03-04T00:00:00Z'), 500) }),
      incident('2026-03-17T00:00:00Z'), // week 12
      incident('2026-02-28T00:00:00Z'), // before the range
    ];
    const result = computeMetrics({
      period: 'week',
      from: at('2026-03-02T00:00:00Z'),
      to: at('2026-03-23T00:00:00Z'),
      now: at('2026-03-23T00:00:00Z'),
      incidents,
      published: [],
      actionItems: [item({ drill: true, createdAt: at('2026-03-03T00:00:00Z') }), item({ createdAt: at('2026-03-10T00:00:00Z') })],
    });
    expect(result.buckets.map((b) => b.key)).toEqual(['2026-W10', '2026-W11', '2026-W12']);
    expect(result.incident_count).toEqual([2, 0, 1]);
    expect(result.mttd[0]).toEqual({ median: 10 * MIN, p90: 40 * MIN, measured: 2, notRecorded: 0 });
    expect(result.mttd[1]).toEqual({ median: null, p90: null, measured: 0, notRecorded: 0 });
    expect(result.mtta[2]).toMatchObject({ median: 2 * MIN });
    expect(result.mttr[0]).toMatchObject({ median: 75 * MIN, p90: 75 * MIN });
    expect(result.recurrence_rate[1]).toEqual({ recurring: 0, measured: 0, notRecorded: 0, rate: null });
    expect(result.recurrence_rate[0]).toEqual({ recurring: 0, measured: 0, notRecorded: 2, rate: null }); // no postmortems: not recorded
    expect(result.action_items.map((p) => p.created.immediate)).toEqual([0, 1, 0]);
  });

  it('buckets by month and quarter too', () => {
    const incidents = [incident('2026-01-31T23:00:00Z'), incident('2026-02-01T00:00:00Z'), incident('2026-04-01T00:00:00Z')];
    const base = { from: at('2026-01-01T00:00:00Z'), to: at('2026-07-01T00:00:00Z'), now: at('2026-07-01T00:00:00Z'), incidents, published: [], actionItems: [] };
    const months = computeMetrics({ ...base, period: 'month' });
    expect(months.buckets.map((b) => b.key)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    expect(months.incident_count).toEqual([1, 1, 0, 1, 0, 0]);
    const quarters = computeMetrics({ ...base, period: 'quarter' });
    expect(quarters.buckets.map((b) => [b.key, b.label])).toEqual([['2026-Q1', 'Q1 2026'], ['2026-Q2', 'Q2 2026']]);
    expect(quarters.incident_count).toEqual([2, 1]);
  });

  it('defines every metric once, with words to show on the page', () => {
    expect(METRICS.map((m) => m.id)).toEqual(['incident_count', 'mttd', 'mtta', 'mttr', 'time_to_postmortem', 'hypothesis_to_resolve', 'recurrence_rate', 'action_items']);
    for (const m of METRICS) expect(m.definition.length, m.id).toBeGreaterThan(80);
    expect(METRICS.find((m) => m.id === 'mttr')?.definition).toMatch(/reopened/);
    expect(METRICS.find((m) => m.id === 'mttd')?.definition).toMatch(/not recorded/);
  });
});

describe('ISO weeks', () => {
  it('numbers weeks by the year of their Thursday, starting Monday UTC', () => {
    expect(bucketOf(at('2025-12-29T00:00:00Z'), 'week').key).toBe('2026-W01');
    expect(bucketOf(at('2025-12-28T23:59:59Z'), 'week').key).toBe('2025-W52');
    expect(bucketOf(at('2026-12-31T12:00:00Z'), 'week').key).toBe('2026-W53');
    expect(bucketOf(at('2027-01-03T12:00:00Z'), 'week').key).toBe('2026-W53');
    expect(bucketOf(at('2027-01-04T00:00:00Z'), 'week')).toMatchObject({ key: '2027-W01', label: '4 Jan 2027' });
  });
});
