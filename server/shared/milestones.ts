/**
 * The incident's milestones and the order they must keep. Pure and shared
 * with the browser: the commands check a correction with these before writing
 * it, the alert routing asks them where an alert's start moves detection, and
 * the war room asks the commander about timeline entries that disagree.
 *
 * The order every page relies on (metrics, the postmortem's Impact, the war
 * room's Key times): impact starts, then it is detected, at the latest when it
 * is declared (declaring is noticing); acknowledgement is measured from the
 * declaration, so it cannot come before it; mitigation and resolution come
 * after the start, and resolution not before mitigation.
 */
export const MILESTONE_FIELDS = ['startedAt', 'detectedAt', 'acknowledgedAt', 'mitigatedAt', 'resolvedAt'] as const;
export type MilestoneField = (typeof MILESTONE_FIELDS)[number];

export interface Milestones {
  startedAt: Date;
  detectedAt: Date | null;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
}

type Field = MilestoneField | 'declaredAt';

export const MILESTONE_WORDS: Record<Field, string> = {
  startedAt: 'impact started',
  detectedAt: 'detected',
  declaredAt: 'declared',
  acknowledgedAt: 'acknowledged',
  mitigatedAt: 'mitigated',
  resolvedAt: 'resolved',
};

/** [earlier, later]: when both are recorded, the first must not be after the second. */
const ORDER: readonly [Field, Field][] = [
  ['startedAt', 'detectedAt'],
  ['detectedAt', 'declaredAt'],
  ['declaredAt', 'acknowledgedAt'],
  ['startedAt', 'mitigatedAt'],
  ['startedAt', 'resolvedAt'],
  ['mitigatedAt', 'resolvedAt'],
];

export interface MilestoneProblem {
  field: MilestoneField;
  message: string;
}

/**
 * The first pair out of order that involves a changed field, blamed on the
 * changed one. Pairs the change does not touch are left alone, so an old
 * inconsistency never blocks correcting something else (or itself).
 */
export function checkMilestoneOrder(times: Milestones, changed: readonly MilestoneField[], format: (date: Date) => string): MilestoneProblem | null {
  for (const [earlier, later] of ORDER) {
    const a = times[earlier];
    const b = times[later];
    if (!a || !b || a.getTime() <= b.getTime()) continue;
    const blamed = (changed as readonly Field[]).includes(later) ? later : (changed as readonly Field[]).includes(earlier) ? earlier : null;
    if (!blamed || blamed === 'declaredAt') continue;
    const other = blamed === later ? earlier : later;
    const relation = blamed === later ? 'before' : 'after';
    return {
      field: blamed,
      message: `${blamed}: ${MILESTONE_WORDS[blamed]} cannot be ${relation} ${MILESTONE_WORDS[other]} (${format(times[other]!)})`,
    };
  }
  return null;
}

/**
 * Where a real alert that started at `alertStart` puts the milestones: it
 * proves the problem was there, so impact started no later than it, and
 * detection moves to it when it is earlier than what is recorded. An alert
 * that fired after the declaration detected nothing (someone already had),
 * so it leaves detection as it is. Null fields are left unchanged.
 */
export function milestonesAfterAlert(times: Pick<Milestones, 'startedAt' | 'detectedAt' | 'declaredAt'>, alertStart: Date): { startedAt?: Date; detectedAt?: Date } {
  if (alertStart.getTime() > times.declaredAt.getTime()) return {};
  if (times.detectedAt && times.detectedAt.getTime() <= alertStart.getTime()) return {};
  const moved: { startedAt?: Date; detectedAt?: Date } = { detectedAt: alertStart };
  if (alertStart.getTime() < times.startedAt.getTime()) moved.startedAt = alertStart;
  return moved;
}
