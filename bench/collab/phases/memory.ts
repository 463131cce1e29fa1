/**
 * Idle connections on a fresh server. One client loads the room and a few
 * come and go to warm the code; then `clients` more connect (timed: connects
 * per second for an existing session, `concurrency` handshakes at a time,
 * each counted once synced) and stay idle.
 *
 * The resident set is read before and after, each time after a full garbage
 * collection forced through the V8 inspector and once it stops moving. An
 * idle Node process rarely collects on its own, so without that the figure
 * follows the garbage each handshake leaves behind: measured that way,
 * Warroom's resident set grew by 25–45 MiB with every 1,000 clients that
 * connected and left, round after round, and a fresh process's first crowd
 * could even come out negative (start-up garbage freed on the way), while
 * after forced collections its heap returned to the same size every round.
 */
import { CollabClient, connectMany } from '../client.ts';
import { collectGarbage } from '../inspector.ts';
import { settledRssKiB, waitForQuiet } from '../process.ts';
import type { Sample } from '../results.ts';
import type { Target } from '../targets.ts';

export interface MemoryOptions {
  clients: number;
  concurrency: number;
}

/** Resident set (KiB) and V8 heap in use (bytes) after a full collection, once settled. */
async function settled(target: Target): Promise<{ rss: number; heap: number }> {
  const inspector = target.process.inspectorUrl;
  if (!inspector) throw new Error(`${target.label} was started without the inspector`);
  await waitForQuiet([target.pid]);
  const heap = await collectGarbage(inspector);
  return { rss: await settledRssKiB(target.process.pid), heap };
}

export async function measureMemory(target: Target, options: MemoryOptions): Promise<{ idle: Sample; rss: Sample; connects: Sample }> {
  await target.fresh({ inspect: true });
  const endpoint = await target.newDocument();
  const open = async () => {
    const client = new CollabClient(endpoint, { timeoutMs: 60_000 });
    await client.synced;
    return client;
  };
  const clients: CollabClient[] = [await open()];
  try {
    const warm = await connectMany(20, 10, open);
    for (const client of warm) client.close();
    const before = await settled(target);
    const started = performance.now();
    clients.push(...(await connectMany(options.clients, options.concurrency, open)));
    const seconds = (performance.now() - started) / 1000;
    const after = await settled(target);
    const kib = (bytes: number) => (bytes / 1024).toFixed(1);
    return {
      idle: { values: [before.rss / 1024] },
      rss: {
        values: [(after.rss - before.rss) / options.clients],
        notes: [
          `RSS ${(before.rss / 1024).toFixed(1)} → ${(after.rss / 1024).toFixed(1)} MiB; V8 heap ${kib((after.heap - before.heap) / options.clients)} KiB per connection`,
        ],
      },
      connects: { values: [options.clients / seconds], notes: [`${options.clients} clients synced in ${(seconds * 1000).toFixed(0)} ms`] },
    };
  } finally {
    for (const client of clients) client.close();
    await target.dispose();
  }
}
