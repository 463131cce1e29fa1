/**
 * Cold first sync: a document typed `updates` keystrokes long, the server
 * process stopped cleanly (SIGTERM) and started again on the same storage,
 * then one client connects and the figure is the time from opening its
 * socket to holding the whole document (the server's sync step 2). The
 * client checks the text it got, so a server that lost the document on
 * restart says so instead of posting a fast, empty sync.
 */
import type { Endpoint } from '../client.ts';
import { CollabClient } from '../client.ts';
import { waitForQuiet } from '../process.ts';
import type { Sample } from '../results.ts';
import { BenchRoom } from '../room.ts';
import { nextTurn } from '../stats.ts';
import type { Target } from '../targets.ts';
import { expectedText, TEXT_NAME } from '../typing.ts';

export const LOST_ON_RESTART = 'lost on restart';

/** Types `updates` keystrokes into the document as fast as `readers` take them, and waits for all of them. */
export async function fill(endpoint: Endpoint, updates: number, readers = 1): Promise<void> {
  const room = await BenchRoom.open(endpoint, readers, { capacity: updates, latencies: false });
  try {
    while (room.sent < updates) {
      while (room.sent - room.deliveries.slowest() < 500 && room.sent < updates) room.type();
      await nextTurn();
    }
    if (!(await room.drain(60_000))) throw new Error(`filling ${endpoint.doc}: the watcher is still missing updates after 60 s`);
    const problems = room.problems();
    if (problems) throw new Error(`filling ${endpoint.doc}: ${problems}`);
  } finally {
    room.close();
  }
}

export async function measureColdSync(target: Target, options: { updates: number }): Promise<Sample> {
  await target.fresh({ durable: true });
  try {
    const endpoint = await target.newDocument();
    await fill(endpoint, options.updates);
    const stopped = performance.now();
    await target.restart();
    // What a restart costs before anyone can connect (the warm-up runs before the server listens).
    const restart = `restarted (stopped, started, listening) in ${Math.round(performance.now() - stopped)} ms`;
    await waitForQuiet([target.process.pid]);
    // Same document, same session: only the process is new.
    const reopened = target.endpoint(endpoint.doc);
    const started = performance.now();
    const client = new CollabClient(reopened, { keepDoc: true, timeoutMs: 60_000 });
    try {
      await client.synced;
      const ms = performance.now() - started;
      const text = client.doc!.getText(TEXT_NAME).toString();
      if (text === expectedText(options.updates)) return { values: [ms], notes: [`synced ${options.updates} characters in ${ms.toFixed(1)} ms; ${restart}`] };
      if (text.length === 0) return { values: [ms], text: LOST_ON_RESTART, notes: [`empty document after restart (synced in ${ms.toFixed(1)} ms)`] };
      return { values: [ms], text: 'failed', notes: [`PROBLEM: ${text.length} characters after restart, not the ${options.updates} typed`] };
    } finally {
      client.close();
    }
  } finally {
    await target.dispose();
  }
}
