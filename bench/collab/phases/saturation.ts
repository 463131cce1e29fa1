/**
 * Saturation: the writer types as fast as the slowest reader keeps up (at
 * most `window` updates sent and not yet delivered to every reader), and the
 * figure is updates per second delivered to all readers over the measured
 * stretch, after a warm-up. CPU of both sides over the same stretch says who
 * was the bottleneck: when the load generator's core was nearly full and the
 * server's was not, the figure is a floor for the server, flagged.
 */
import { coreBusyMs, cpuMs, waitForQuiet } from '../process.ts';
import type { Sample } from '../results.ts';
import { BenchRoom } from '../room.ts';
import { nextTurn } from '../stats.ts';
import type { Target } from '../targets.ts';

export interface SaturationOptions {
  readers: number;
  warmupMs: number;
  measureMs: number;
  /** Updates in flight: sent, not yet at every reader. */
  window: number;
  /** At most this many updates per measurement (Yjs slows down on very long texts). */
  capacity: number;
}

export const CLIENT_BOUND = 'client-bound';

export async function measureSaturation(target: Target, options: SaturationOptions): Promise<Sample> {
  const room = await BenchRoom.open(await target.newDocument(), options.readers, { capacity: options.capacity, latencies: false });
  try {
    await waitForQuiet([target.pid]);
    const { deliveries } = room;
    const started = performance.now();
    const pid = target.pid;
    const serverCpuMs = () => (pid === null ? Number.NaN : cpuMs(pid));
    let from: { at: number; delivered: number; server: number; client: NodeJS.CpuUsage; cores: number[] } | null = null;
    let to = started;
    for (;;) {
      const now = performance.now();
      if (!from && now - started >= options.warmupMs) {
        from = { at: now, delivered: deliveries.slowest(), server: serverCpuMs(), client: process.cpuUsage(), cores: coreBusyMs() };
      }
      if ((from && now - from.at >= options.measureMs) || room.sent >= options.capacity) {
        to = now;
        break;
      }
      const slowest = deliveries.slowest();
      while (room.sent - slowest < options.window && room.sent < options.capacity) room.type();
      await nextTurn();
    }
    if (!from) throw new Error(`the ${options.capacity} updates of one measurement ran out during the warm-up`);
    const delivered = deliveries.slowest() - from.delivered;
    const seconds = (to - from.at) / 1000;
    const elapsed = to - from.at;
    const serverCpu = (serverCpuMs() - from.server) / elapsed;
    const clientUsage = process.cpuUsage(from.client);
    const clientCpu = (clientUsage.user + clientUsage.system) / 1000 / elapsed;
    // What the rest of the machine took from the two cores meanwhile: on a busy machine neither side gets a whole core.
    const cores = coreBusyMs().reduce((sum, busy, i) => sum + busy - from!.cores[i], 0) / elapsed;
    const others = Math.max(0, cores - clientCpu - (Number.isNaN(serverCpu) ? 0 : serverCpu));
    const drained = await room.drain();
    const problems = drained ? room.problems() : `readers still missing updates 30 s after the writer stopped`;
    const flags = clientCpu >= 0.9 && serverCpu < 0.9 ? [CLIENT_BOUND] : [];
    return {
      values: [delivered / seconds],
      flags,
      notes: [
        `${room.sent} updates, measured over ${seconds.toFixed(2)} s; CPU server ${(serverCpu * 100).toFixed(0)}%, load generator ${(clientCpu * 100).toFixed(0)}%, everything else ${(others * 100).toFixed(0)}% (of 200%, PostgreSQL included)` +
          (problems ? `; PROBLEM: ${problems}` : ''),
      ],
      ...(problems ? { text: 'failed' } : {}),
    };
  } finally {
    room.close();
  }
}
