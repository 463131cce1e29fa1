import { describe, expect, it } from 'vitest';
import { reviewIncident, summarizeReview, type ReviewIncidentFacts } from '../../server/process-review/review.ts';
import type { TimelineEntry } from '../../server/shared/war-room-doc.ts';

const t = (hhmm: string) => new Date(`2026-04-07T${hhmm}:00Z`);
const MIN = 60_000;

function entry(hhmm: string, text: string, removed = false): TimelineEntry {
  return {
    id: `e-${hhmm}`,
    at: t(hhmm).toISOString(),
    kind: 'action',
    text,
    author: { id: 'u1', name: 'Ana' },
    hypothesisId: null,
    auto: false,
    eventId: null,
    createdAt: t(hhmm).toISOString(),
    ...(removed ? { removed: { by: { id: 'u1', name: 'Ana' }, at: t(hhmm).toISOString() } } : {}),
  };
}

/*
 * Incident A, worked out by hand. Impact 10:00; the hypothesis that held was
 * written at 10:20 and confirmed at 10:35; mitigated 10:50, resolved 11:20.
 *   start → hypothesis          20 min   (diagnosis)
 *   hypothesis → confirmed      15 min
 *   hypothesis → mitigated      30 min
 *   hypothesis → resolved       60 min
 * Timeline in the window 10:20–11:20 (10:05 is before it, 11:05 was removed):
 *   10:25 Paged DB on-call        5 min after the hypothesis
 *   10:55 DB on-call joined      30 min  ← the longest quiet stretch
 *   11:00 Failover approved       5 min
 *   11:10 Failover done          10 min, then 10 min to resolution
 */
const a: ReviewIncidentFacts = {
  id: 'a',
  number: 41,
  title: 'Orders DB saturated',
  severity: 2,
  services: ['orders'],
  startedAt: t('10:00'),
  mitigatedAt: t('10:50'),
  resolvedAt: t('11:20'),
  hypothesis: { statement: 'Primary is out of IOPS', firstWrittenAt: t('10:20'), confirmedAt: t('10:35') },
  timeline: [entry('10:05', 'Alert fired'), entry('10:55', 'DB on-call joined'), entry('10:25', 'Paged DB on-call'), entry('11:00', 'Failover approved'), entry('11:05', 'Typo', true), entry('11:10', 'Failover done')],
  delay: { kind: 'escalation', note: 'DB on-call took 30 min to join at night' },
};
// B: hypothesis at 12:10, resolved 12:30, nothing in the timeline between: the whole 20 min is the quiet stretch.
const b: ReviewIncidentFacts = { ...a, id: 'b', number: 42, startedAt: t('12:00'), mitigatedAt: null, resolvedAt: t('12:30'), hypothesis: { statement: 'Bad config', firstWrittenAt: t('12:10'), confirmedAt: t('12:12') }, timeline: [], delay: { kind: 'approval', note: '' } };
// C: nothing was ever confirmed.
const c: ReviewIncidentFacts = { ...a, id: 'c', number: 43, hypothesis: null, delay: null };

describe('reviewIncident', () => {
  it('times the path from the correct hypothesis to the fix, with the timeline between as evidence', () => {
    const r = reviewIncident(a);
    expect(r).toMatchObject({ ref: 'INC-41', startToHypothesisMs: 20 * MIN, hypothesisToConfirmedMs: 15 * MIN, hypothesisToMitigatedMs: 30 * MIN, hypothesisToResolvedMs: 60 * MIN });
    expect(r.evidence.map((e) => [e.text, e.gapMs / MIN])).toEqual([
      ['Paged DB on-call', 5],
      ['DB on-call joined', 30],
      ['Failover approved', 5],
      ['Failover done', 10],
    ]);
    expect(r.longestGap).toEqual({ afterText: 'Paged DB on-call', beforeText: 'DB on-call joined', ms: 30 * MIN });
  });

  it('counts the stretch up to the resolution when nothing was written after the hypothesis', () => {
    expect(reviewIncident(b).longestGap).toEqual({ afterText: 'Hypothesis written: Bad config', beforeText: 'Resolved', ms: 20 * MIN });
  });

  it('leaves every hypothesis time empty without a confirmed hypothesis', () => {
    expect(reviewIncident(c)).toMatchObject({ hypothesis: null, startToHypothesisMs: null, hypothesisToResolvedMs: null, evidence: [], longestGap: null });
  });
});

describe('summarizeReview', () => {
  it('takes nearest-rank medians across incidents and tallies where the delays sat', () => {
    // To resolution: [60, 20] → rank ceil(0.5 × 2) = 1 → 20 min; C is not recorded. Diagnosis: [20, 10] → 10 min.
    expect(summarizeReview([a, b, c].map(reviewIncident))).toEqual({
      incidents: 3,
      hypothesisToResolved: { median: 20 * MIN, measured: 2, notRecorded: 1 },
      startToHypothesis: { median: 10 * MIN, measured: 2 },
      delays: [
        { kind: 'escalation', name: 'Escalation', count: 1 },
        { kind: 'approval', name: 'An approval', count: 1 },
      ],
      undecided: 1,
    });
  });
});
