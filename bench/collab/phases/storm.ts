/**
 * Reconnect storm: `rooms` documents, each typed `fillUpdates` keystrokes
 * long, the server restarted (SIGTERM, new process, same storage), then
 * another room starts typing at a steady pace and, a second later, every
 * storm client opens its socket at once (retrying like the stock provider
 * when refused). Figures: the time until every storm client is synced, and
 * the other room's delivery p99 / max for the updates sent meanwhile. Each
 * storm client counts the typed characters its sync brought, so documents
 * lost on restart are reported, not mistaken for a fast storm.
 */
import { connectWithRetry, type CollabClient } from '../client.ts';
import { waitForQuiet } from '../process.ts';
import type { Sample } from '../results.ts';
import { BenchRoom } from '../room.ts';
import { percentile, sleep, sortNumbers } from '../stats.ts';
import type { Target } from '../targets.ts';
import { ClockReader } from '../typing.ts';
import { fill, LOST_ON_RESTART } from './cold.ts';
import { typePaced } from './paced.ts';

export interface StormOptions {
  rooms: number;
  clientsPerRoom: number;
  fillUpdates: number;
  observedReaders: number;
  rate: number;
}

export async function measureStorm(target: Target, options: StormOptions): Promise<{ synced: Sample; otherRoom: Sample }> {
  await target.fresh({ durable: true });
  const clients: CollabClient[] = [];
  let observed: BenchRoom | null = null;
  try {
    const docs: string[] = [];
    for (let i = 0; i < options.rooms; i++) {
      const endpoint = await target.newDocument();
      await fill(endpoint, options.fillUpdates);
      docs.push(endpoint.doc);
    }
    const observedDoc = (await target.newDocument()).doc;
    await target.restart();
    await waitForQuiet([target.process.pid]);

    const capacity = options.rate * 180;
    observed = await BenchRoom.open(target.endpoint(observedDoc), options.observedReaders, { capacity, latencies: true });
    let stopTyping = false;
    const room = observed;
    const typing = typePaced(room, options.rate, capacity, () => stopTyping);
    await sleep(1000);

    const clocks = new ClockReader();
    const total = options.rooms * options.clientsPerRoom;
    const typed = new Int32Array(total);
    const firstDuring = room.sent;
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: total }, (_, i) =>
        connectWithRetry(target.endpoint(docs[i % options.rooms]), {
          attempts: 10,
          timeoutMs: 60_000,
          onUpdate: (update) => {
            const ranges = clocks.ranges(update);
            // The typed clocks run from 0, so the highest end is how much of the text the client holds, however often it was sent.
            for (let r = 1; r < ranges.length; r += 2) typed[i] = Math.max(typed[i], ranges[r]);
          },
        }),
      ),
    );
    const stormMs = performance.now() - started;
    const lastDuring = room.sent;
    await sleep(500);
    stopTyping = true;
    await typing;
    const drained = await room.drain(30_000);

    let retries = 0;
    let failed = 0;
    let firstError = '';
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') {
        clients.push(outcome.value.client);
        retries += outcome.value.retries;
      } else {
        failed++;
        firstError ||= (outcome.reason as Error).message;
      }
    }
    const intact = Array.from(typed).filter((count) => count === options.fillUpdates).length;
    const empty = Array.from(typed).filter((count) => count === 0).length;
    const stormNote = `${total} clients in ${options.rooms} rooms synced in ${stormMs.toFixed(0)} ms, ${retries} retries, ${failed} failed${firstError ? ` (${firstError})` : ''}; ${intact} got the whole document, ${empty} an empty one`;
    let synced: Sample = { values: [stormMs], notes: [stormNote] };
    if (failed > 0 || (intact !== total && empty !== total)) synced = { ...synced, text: 'failed' };
    else if (empty === total) synced = { ...synced, text: `${stormMs.toFixed(0)} (${LOST_ON_RESTART})` };

    // The updates sent while the storm lasted (at least ten, for a short storm).
    const until = Math.max(lastDuring, firstDuring + 10);
    const sorted = sortNumbers(room.deliveries.latencies(firstDuring, Math.min(until, room.sent)));
    const problems = drained ? room.problems() : 'the other room\'s readers were still missing updates 30 s later';
    const otherRoom: Sample = {
      values: [percentile(sorted, 99), sorted[sorted.length - 1]],
      notes: [`other room: ${until - firstDuring} updates during the storm, ${sorted.length} samples` + (problems ? `; PROBLEM: ${problems}` : '')],
      ...(problems ? { text: 'failed' } : {}),
    };
    return { synced, otherRoom };
  } finally {
    observed?.close();
    for (const client of clients) client.close();
    await target.dispose();
  }
}
