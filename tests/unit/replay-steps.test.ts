import { describe, expect, it } from 'vitest';
import { groupSteps, stepIndexAt, STEP_DEFAULTS, type StepInput } from '../../server/shared/replay-steps.ts';

const s = (seconds: number) => seconds * 1000;
const typing = (userId: string | null, from: number, keystrokes: number, everyMs = 300): StepInput[] =>
  Array.from({ length: keystrokes }, (_, i) => ({ at: s(from) + i * everyMs, userId }));
const byTime = (...runs: StepInput[][]) => runs.flat().sort((a, b) => a.at - b.at);

describe('the replay slider steps', () => {
  it('makes one step of a person typing, placed at their last keystroke', () => {
    // 3 minutes of incident, 290 keystrokes in three bursts: three steps, not 290.
    const changes = byTime(typing('ana', 0, 100), typing('ana', 60, 90), typing('ana', 150, 100));
    const steps = groupSteps(changes);
    expect(steps.map((step) => ({ ...step, at: step.at / 1000, from: step.from / 1000 }))).toEqual([
      { at: 29.7, from: 0, userId: 'ana', changes: 100 },
      { at: 86.7, from: 60, userId: 'ana', changes: 90 },
      { at: 179.7, from: 150, userId: 'ana', changes: 100 },
    ]);
  });

  it('follows each person on their own, so typing at the same time does not split a step', () => {
    const steps = groupSteps(byTime(typing('ana', 0, 20), typing('ben', 1, 20), [{ at: s(3), userId: null }]));
    expect(steps.map((step) => [step.userId, step.changes])).toEqual([
      [null, 1],
      ['ana', 20],
      ['ben', 20],
    ]);
  });

  it('makes a different thing a different step, even within seconds', () => {
    const changes: StepInput[] = [
      ...typing('ana', 0, 5).map((c) => ({ ...c, target: 'drafts/public' })),
      { at: s(2), userId: 'ana', target: 'timeline/e1' },
      { at: s(2.5), userId: 'ana', target: 'hypotheses/h1' },
      { at: s(3), userId: 'ana', target: 'timeline/e1' },
    ];
    const steps = groupSteps(byTime(changes));
    expect(steps.map((step) => [step.at / 1000, step.changes])).toEqual([
      [1.2, 5],
      [2.5, 1],
      [3, 2],
    ]);
  });

  it('starts a new step after a pause of more than a few seconds, and cuts a long stretch of typing', () => {
    expect(groupSteps([{ at: 0, userId: 'ana' }, { at: s(5), userId: 'ana' }, { at: s(10.001), userId: 'ana' }]).map((step) => step.changes)).toEqual([2, 1]);
    // Two minutes of steady typing show their progress once a minute.
    expect(groupSteps(typing('ana', 0, 121, 1000)).map((step) => step.changes)).toEqual([61, 60]);
  });

  it('merges steps evenly past the maximum, keeping the last moment and the count of changes', () => {
    const changes = Array.from({ length: 1000 }, (_, i) => ({ at: s(i * 10), userId: i % 2 ? 'ana' : 'ben' }));
    const steps = groupSteps(changes, { ...STEP_DEFAULTS, maxSteps: 300 });
    expect(steps.length).toBeLessThanOrEqual(300);
    expect(steps.at(-1)!.at).toBe(s(9990));
    expect(steps.reduce((sum, step) => sum + step.changes, 0)).toBe(1000);
    expect(steps[0]).toMatchObject({ from: 0, userId: null });
  });

  it('finds the step that holds a given change', () => {
    const steps = [{ at: 10 }, { at: 20 }, { at: 30 }];
    expect([5, 10, 11, 20, 25, 30, 99].map((at) => stepIndexAt(steps, at))).toEqual([0, 0, 1, 1, 2, 2, 2]);
    expect(stepIndexAt([], 5)).toBe(0);
  });
});
