/**
 * Paced typing: the writer sends update k at start + k / rate (late timers
 * send what is due at once, so the average stays the stated rate), and each
 * reader's latency for each update is its arrival minus that update's send
 * time. The achieved pace is measured from the actual send times and checked
 * against the stated rate.
 */
import { waitForQuiet } from '../process.ts';
import type { Sample } from '../results.ts';
import { BenchRoom } from '../room.ts';
import { percentile, sleep, sortNumbers } from '../stats.ts';
import type { Target } from '../targets.ts';

export interface PacedOptions {
  readers: number;
  rate: number;
  updates: number;
  /** Leading updates left out of the figures (connections and code warming up). */
  warmup: number;
}

export interface PacedRun {
  room: BenchRoom;
  /** Updates per second between the first and the last send. */
  achievedRate: number;
  drained: boolean;
}

/** A pace off the stated rate by more than this fraction is flagged. */
const PACE_TOLERANCE = 0.02;
export const PACE_OFF = 'pace-off';

export async function typePaced(room: BenchRoom, rate: number, updates: number, stop?: () => boolean): Promise<number> {
  const interval = 1000 / rate;
  const started = performance.now();
  while (room.sent < updates && !stop?.()) {
    const due = started + room.sent * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    while (room.sent < updates && started + room.sent * interval <= performance.now()) room.type();
  }
  const sentAt = room.deliveries.sentAt;
  return room.sent > 1 ? ((room.sent - 1) * 1000) / (sentAt[room.sent - 1] - sentAt[0]) : Number.NaN;
}

export async function runPaced(target: Target, options: PacedOptions): Promise<PacedRun> {
  const room = await BenchRoom.open(await target.newDocument(), options.readers, { capacity: options.updates, latencies: true });
  try {
    await waitForQuiet([target.pid]);
    const achievedRate = await typePaced(room, options.rate, options.updates);
    const drained = await room.drain(30_000);
    return { room, achievedRate, drained };
  } catch (error) {
    room.close();
    throw error;
  }
}

/** p50 / p99 / max of every reader's latency at the stated pace. */
export async function measureLatency(target: Target, options: PacedOptions): Promise<Sample> {
  const { room, achievedRate, drained } = await runPaced(target, options);
  try {
    const sorted = sortNumbers(room.deliveries.latencies(options.warmup, options.updates));
    const problems = drained ? room.problems() : 'readers still missing updates 30 s after the writer stopped';
    const paceOff = Math.abs(achievedRate - options.rate) > options.rate * PACE_TOLERANCE;
    return {
      values: [percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1]],
      flags: paceOff ? [PACE_OFF] : [],
      notes: [`${sorted.length} samples, pace ${achievedRate.toFixed(2)} updates/s` + (problems ? `; PROBLEM: ${problems}` : '')],
      ...(problems ? { text: 'failed' } : {}),
    };
  } finally {
    room.close();
  }
}

/**
 * The slowest single update around compaction (Warroom compacts a room
 * after 500 logged updates): for each update, the time until the last
 * reader had it; the worst within `around` updates of each multiple of 500,
 * against the p99 of all updates. The same windows are read on the anchors,
 * which do not compact, so the cells compare like with like.
 */
export async function measureCompaction(target: Target, options: PacedOptions & { every: number; around: number }): Promise<Sample> {
  const { room, achievedRate, drained } = await runPaced(target, options);
  try {
    const perUpdate: number[] = [];
    for (let k = options.warmup; k < options.updates; k++) perUpdate.push(room.deliveries.untilEveryone(k));
    const p99 = percentile(sortNumbers(perUpdate), 99);
    let worst = 0;
    let worstAt = -1;
    let overallWorstAt = -1;
    let overallWorst = 0;
    for (let k = options.warmup; k < options.updates; k++) {
      const value = perUpdate[k - options.warmup];
      if (value > overallWorst) [overallWorst, overallWorstAt] = [value, k];
      const distance = Math.abs(k - Math.round(k / options.every) * options.every);
      if (k >= options.every - options.around && distance <= options.around && value > worst) [worst, worstAt] = [value, k];
    }
    const problems = drained ? room.problems() : 'readers still missing updates 30 s after the writer stopped';
    return {
      values: [worst, p99],
      flags: Math.abs(achievedRate - options.rate) > options.rate * PACE_TOLERANCE ? [PACE_OFF] : [],
      notes: [
        `worst near a multiple of ${options.every}: #${worstAt}; worst overall ${overallWorst.toFixed(2)} ms at #${overallWorstAt}; pace ${achievedRate.toFixed(2)} updates/s` +
          (problems ? `; PROBLEM: ${problems}` : ''),
      ],
      ...(problems ? { text: 'failed' } : {}),
    };
  } finally {
    room.close();
  }
}
