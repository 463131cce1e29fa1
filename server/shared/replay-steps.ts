/**
 * The replay slider's steps: meaningful edits rather than keystrokes. Each
 * stored change is a few characters of someone typing; a person's changes to
 * the same thing (one draft, one timeline entry, one hypothesis card) that
 * follow each other within a few seconds are one step, shown as it stood
 * after the last of them. Someone else typing at the same time does not split
 * a person's step (each run is followed on its own), a different thing is a
 * different step (a new entry right after a status change stays visible on
 * its own), and a run is cut after a while so a long stretch of typing still
 * shows its progress. Pure, and shared with the browser (the slider finds a
 * step with it).
 */

export interface StepInput {
  /** Server time, ms since the epoch, oldest first. */
  at: number;
  userId: string | null;
  /** What the change edited, e.g. "drafts/public" or "timeline/<id>"; changes to different things are different steps. */
  target?: string;
}

export interface Step {
  /** The last change of the step: the board is shown as it stood then. */
  at: number;
  /** The first change of the step. */
  from: number;
  /** Who made it; null for the server's own changes or, after coarsening, a mix of people. */
  userId: string | null;
  changes: number;
}

export interface StepOptions {
  /** A person's next change within this many ms continues their step. */
  pauseMs: number;
  /** A step spans at most this long. */
  maxSpanMs: number;
  /** At most this many steps; more are merged evenly, oldest with the next. */
  maxSteps: number;
}

export const STEP_DEFAULTS: StepOptions = { pauseMs: 5_000, maxSpanMs: 60_000, maxSteps: 2_000 };

export function groupSteps(changes: readonly StepInput[], options: StepOptions = STEP_DEFAULTS): Step[] {
  const steps: Step[] = [];
  // The open step of each author and thing they edit (the server's own changes under an empty author).
  const open = new Map<string, Step>();
  for (const change of changes) {
    const author = `${change.userId ?? ''}\u0000${change.target ?? ''}`;
    const current = open.get(author);
    if (current && change.at - current.at <= options.pauseMs && change.at - current.from <= options.maxSpanMs) {
      current.at = change.at;
      current.changes++;
      continue;
    }
    const step = { at: change.at, from: change.at, userId: change.userId, changes: 1 };
    open.set(author, step);
    steps.push(step);
  }
  steps.sort((a, b) => a.at - b.at);
  return coarsen(steps, options.maxSteps);
}

function coarsen(steps: Step[], max: number): Step[] {
  if (steps.length <= max) return steps;
  const size = Math.ceil(steps.length / max);
  const merged: Step[] = [];
  for (let i = 0; i < steps.length; i += size) {
    const group = steps.slice(i, i + size);
    const last = group[group.length - 1];
    merged.push({
      at: last.at,
      from: Math.min(...group.map((s) => s.from)),
      userId: group.every((s) => s.userId === last.userId) ? last.userId : null,
      changes: group.reduce((sum, s) => sum + s.changes, 0),
    });
  }
  return merged;
}

/** The step that contains the change made at `at`: the first step ending at or after it (the last step when none does). */
export function stepIndexAt(steps: readonly Pick<Step, 'at'>[], at: number): number {
  let low = 0;
  let high = steps.length - 1;
  if (high < 0) return 0;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (steps[mid].at < at) low = mid + 1;
    else high = mid;
  }
  return low;
}
