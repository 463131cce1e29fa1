import { describe, expect, it } from 'vitest';
import type { IncidentFacts } from '../../server/metrics/definitions.ts';
import { DETECTION_GAP_MS, excerpt, reviewQuarter } from '../../server/metrics/patterns.ts';
import type { ReviewedPostmortem, StructuralItemRecord } from '../../server/metrics/repo.ts';

const MIN = 60_000;
let n = 100;
function incident(start: string, services: string[], detectMinutes: number | null, over: Partial<IncidentFacts> = {}): IncidentFacts {
  const startedAt = new Date(start);
  n++;
  return {
    id: `i${n}`,
    number: n,
    title: `Incident ${n}`,
    severity: 2,
    services,
    drill: false,
    startedAt,
    detectedAt: detectMinutes === null ? null : new Date(startedAt.getTime() + detectMinutes * MIN),
    declaredAt: startedAt,
    acknowledgedAt: startedAt,
    mitigatedAt: null,
    resolvedAt: null,
    closedAt: null,
    reopenCount: 0,
    postmortemPublishedAt: null,
    postmortemCategories: [],
    hypothesisWrittenAt: null,
    ...over,
  };
}

describe('the quarterly pattern review', () => {
  const a = incident('2026-07-03T10:00:00Z', ['payments', 'db'], 5);
  const b = incident('2026-08-10T10:00:00Z', ['payments'], 95);
  const c = incident('2026-09-01T10:00:00Z', ['search'], null);
  const d = incident('2026-09-20T10:00:00Z', ['db'], 31);
  const drill = incident('2026-09-21T10:00:00Z', ['payments'], null, { drill: true });
  const now = new Date('2026-10-15T00:00:00Z');
  const published = (incident: IncidentFacts, at: string, factors: ReviewedPostmortem['factors'], detection = ''): ReviewedPostmortem => ({
    incidentId: incident.id,
    firstPublishedAt: new Date(at),
    factors,
    detection,
  });
  const postmortems = [
    published(a, '2026-07-06T00:00:00Z', [
      { category: 'technical', description: 'Connection pool too small for the retry storm' },
      { category: 'process', description: 'No load test before the sale' },
    ]),
    published(b, '2026-08-12T00:00:00Z', [{ category: 'technical', description: 'Retries without backoff' }], 'We learned from a customer tweet.\n\nThe pager alert fired 90 minutes late because the threshold was set for weekday traffic.'),
    published(drill, '2026-09-22T00:00:00Z', [{ category: 'tooling', description: 'drill factor' }]),
  ];
  const structural = (incident: IncidentFacts, over: Partial<StructuralItemRecord>): StructuralItemRecord => ({
    id: `s${++n}`,
    incidentId: incident.id,
    title: 'Add backoff to every client',
    problemCategory: 'retry storms',
    status: 'open',
    dueDate: null,
    doneAt: null,
    owner: 'Cora',
    ...over,
  });
  const items = [
    structural(a, { status: 'done', doneAt: new Date('2026-08-01T00:00:00Z'), dueDate: '2026-08-01' }),
    structural(a, { status: 'open', dueDate: '2026-10-01' }), // overdue, and past the 30-day check
    structural(b, { status: 'in_progress', dueDate: '2026-12-01' }), // past the 30-day check only
    structural(drill, { status: 'open' }),
  ];
  const review = reviewQuarter({ incidents: [d, c, b, a, drill], postmortems, structuralItems: items, now });

  it('counts the quarter’s incidents without drills', () => {
    expect(review.incidentCount).toBe(4);
  });

  it('groups contributing factors by category, most frequent first, then by service', () => {
    expect(review.factors.map((g) => [g.category, g.count])).toEqual([['technical', 2], ['process', 1]]);
    const technical = review.factors[0];
    expect(technical.services.map((s) => [s.service, s.count])).toEqual([['payments', 2], ['db', 1]]);
    expect(technical.services[0].factors.map((f) => [f.incident.ref, f.description])).toEqual([
      [`INC-${a.number}`, 'Connection pool too small for the retry storm'],
      [`INC-${b.number}`, 'Retries without backoff'],
    ]);
  });

  it('lists services with two or more incidents, with those incidents in order', () => {
    expect(review.recurringServices.map((s) => [s.service, s.incidents.map((i) => i.ref)])).toEqual([
      ['db', [`INC-${a.number}`, `INC-${d.number}`]],
      ['payments', [`INC-${a.number}`, `INC-${b.number}`]],
    ]);
  });

  it('flags detection over 30 minutes or not recorded, unknown first, with the detection section excerpt', () => {
    expect(DETECTION_GAP_MS).toBe(30 * MIN);
    expect(review.detectionGaps.map((g) => [g.incident.ref, g.timeToDetect])).toEqual([
      [`INC-${c.number}`, null],
      [`INC-${b.number}`, 95 * MIN],
      [`INC-${d.number}`, 31 * MIN],
    ]);
    expect(review.detectionGaps[1].detectionExcerpt).toBe(
      'We learned from a customer tweet. The pager alert fired 90 minutes late because the threshold was set for weekday traffic.',
    );
    expect(review.detectionGaps[0].detectionExcerpt).toBe('');
  });

  it('tracks structural items: done, open, overdue and still open 30 days after publication', () => {
    expect(review.structural).toMatchObject({ total: 3, done: 1, open: 2, overdue: 1, pastThirtyDayCheck: 2 });
    expect(review.structural.items.map((i) => [i.status, i.overdue, i.pastThirtyDayCheck])).toEqual([
      ['done', false, false],
      ['open', true, true],
      ['in_progress', false, true],
    ]);
  });

  it('is empty, not broken, for a quiet quarter', () => {
    expect(reviewQuarter({ incidents: [], postmortems: [], structuralItems: [], now })).toEqual({
      incidentCount: 0,
      factors: [],
      recurringServices: [],
      detectionGaps: [],
      structural: { total: 0, done: 0, open: 0, overdue: 0, pastThirtyDayCheck: 0, items: [] },
    });
  });
});

describe('excerpt', () => {
  it('flattens whitespace and cuts long text at a word with an ellipsis', () => {
    expect(excerpt('  a\n\nb  ')).toBe('a b');
    const long = 'word '.repeat(100);
    const cut = excerpt(long, 50);
    expect(cut.endsWith('word…')).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(51);
  });
});
