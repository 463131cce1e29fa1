import { describe, expect, it } from 'vitest';
import { detectionEntry, detectionQuestions } from '../../server/shared/detection.ts';
import { checkMilestoneOrder, milestonesAfterAlert, type MilestoneField, type Milestones } from '../../server/shared/milestones.ts';
import type { TimelineEntry } from '../../server/shared/war-room-doc.ts';

const at = (hhmm: string) => new Date(`2026-03-12T${hhmm}:00.000Z`);
const times: Milestones = {
  startedAt: at('22:00'),
  detectedAt: at('22:10'),
  declaredAt: at('22:15'),
  acknowledgedAt: at('22:16'),
  mitigatedAt: at('22:40'),
  resolvedAt: at('23:00'),
};
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

describe('milestone order', () => {
  it.each<[string, Partial<Milestones>, MilestoneField[], { field: MilestoneField; message: RegExp } | null]>([
    ['a consistent correction', { detectedAt: at('22:05') }, ['detectedAt'], null],
    ['detected before the start', { detectedAt: at('21:55') }, ['detectedAt'], { field: 'detectedAt', message: /detected cannot be before impact started \(22:00\)/ }],
    ['detected after the declaration', { detectedAt: at('22:20') }, ['detectedAt'], { field: 'detectedAt', message: /after declared/ }],
    ['a start after the detection', { startedAt: at('22:12') }, ['startedAt'], { field: 'startedAt', message: /impact started cannot be after detected/ }],
    ['acknowledged before the declaration', { acknowledgedAt: at('22:14') }, ['acknowledgedAt'], { field: 'acknowledgedAt', message: /before declared/ }],
    ['resolved before mitigated', { resolvedAt: at('22:30') }, ['resolvedAt'], { field: 'resolvedAt', message: /resolved cannot be before mitigated/ }],
    ['mitigated before the start', { mitigatedAt: at('21:00') }, ['mitigatedAt'], { field: 'mitigatedAt', message: /before impact started/ }],
    ['an old inconsistency the change does not touch', { detectedAt: at('21:55'), resolvedAt: at('23:10') }, ['resolvedAt'], null],
    ['a missing detection is never out of order', { detectedAt: null }, ['detectedAt'], null],
  ])('%s', (_, change, changed, expected) => {
    const problem = checkMilestoneOrder({ ...times, ...change }, changed, hhmm);
    if (!expected) expect(problem).toBeNull();
    else {
      expect(problem?.field).toBe(expected.field);
      expect(problem?.message).toMatch(expected.message);
    }
  });
});

describe('what an alert proves', () => {
  it.each<[string, Pick<Milestones, 'startedAt' | 'detectedAt' | 'declaredAt'>, string, { startedAt?: string; detectedAt?: string }]>([
    ['moves detection earlier', times, '22:04', { detectedAt: '22:04' }],
    ['records detection where none was', { ...times, detectedAt: null }, '22:04', { detectedAt: '22:04' }],
    ['keeps an earlier detection', times, '22:12', {}],
    // Before: time to detect became "not recorded" because detection moved before the start.
    ['moves the start too when it fired before it', times, '21:50', { startedAt: '21:50', detectedAt: '21:50' }],
    ['detected nothing when it fired after the declaration', { ...times, detectedAt: null }, '22:20', {}],
  ])('%s', (_, current, alert, expected) => {
    const moved = milestonesAfterAlert(current, at(alert));
    expect(Object.fromEntries(Object.entries(moved).map(([k, v]) => [k, hhmm(v)]))).toEqual(expected);
  });
});

describe('detection in the timeline', () => {
  const entry = (id: string, time: string, fields: Partial<TimelineEntry> = {}): TimelineEntry => ({
    id,
    at: at(time).toISOString(),
    kind: 'alert',
    text: id,
    author: { id: 'ben', name: 'Ben' },
    hypothesisId: null,
    auto: false,
    eventId: null,
    createdAt: at(time).toISOString(),
    ...fields,
  });
  const declaration = entry('event-1', '22:15', { auto: true, eventId: 1, author: { id: 'ana', name: 'Ana' } });
  const realAlert = entry('alert-x', '22:10', { auto: true, author: null });

  it('names the alert the detection time came from, never the declaration', () => {
    expect(detectionEntry([declaration, realAlert], times.detectedAt)?.id).toBe('alert-x');
    expect(detectionEntry([declaration], times.declaredAt)).toBeNull();
    expect(detectionEntry([realAlert], null)).toBeNull();
  });

  it('asks about alerts people logged earlier than the recorded detection, earliest first', () => {
    const timeline = [declaration, realAlert, entry('late', '22:12'), entry('scribe', '22:04'), entry('before-start', '21:58'), entry('note', '22:01', { kind: 'note' })];
    expect(detectionQuestions(timeline, times).map((q) => [q.entry.id, q.moves.startedAt && hhmm(q.moves.startedAt), hhmm(q.moves.detectedAt!)])).toEqual([
      ['before-start', '21:58', '21:58'],
      ['scribe', undefined, '22:04'],
    ]);
    // A real alert the commander overruled is a decision, not a question.
    expect(detectionQuestions([entry('alert-y', '22:01', { auto: true, author: null })], times)).toEqual([]);
    expect(detectionQuestions([entry('after-declaring', '22:20')], { ...times, detectedAt: null })).toEqual([]);
  });
});
