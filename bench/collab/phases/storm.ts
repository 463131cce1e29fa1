/**
 * Reconnect storm: `rooms` documents, each typed `fillUpdates` keystrokes
 * long, the server restarted (SIGTERM, new process, same storage), then
 * another room starts typing at a steady pace and, a second later, every
 * storm client opens its socket at once (retrying like the stock provider
 * when refused). Figures: the time until every storm client is synced, and
 * the other room's delivery p99 / max for the updates sent meanwhile. Each
 * storm client counts the typed characters its sync brought, so documents
 * lost on restart are reported, not mistaken for a fast storm. The storm's
 * clients run in a process of their own (see storm-load.ts), so the other
 * room's readers measure the server, not the storm's backlog in their own
 * event loop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { waitForQuiet } from '../process.ts';
import type { Sample } from '../results.ts';
import { BenchRoom } from '../room.ts';
import { percentile, sleep, sortNumbers } from '../stats.ts';
import type { Target } from '../targets.ts';
import type { StormStart, StormSynced } from './storm-load.ts';
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
  let observed: BenchRoom | null = null;
  let load: StormLoad | null = null;
  try {
    load = await StormLoad.start();
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

    const total = options.rooms * options.clientsPerRoom;
    const firstDuring = room.sent;
    const endpoints = Array.from({ length: total }, (_, i) => {
      const endpoint = target.endpoint(docs[i % options.rooms]);
      return { ...endpoint, dialect: endpoint.dialect.name };
    });
    const outcome = await load.storm({ type: 'start', endpoints, fillUpdates: options.fillUpdates });
    const lastDuring = room.sent;
    await sleep(500);
    stopTyping = true;
    await typing;
    const drained = await room.drain(30_000);

    const { stormMs, retries, failed, firstError, intact, empty } = outcome;
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
    await load?.close();
    await target.dispose();
  }
}

/** The storm's clients in their own process, on this process's core (the affinity is inherited). */
class StormLoad {
  readonly #child: ChildProcess;
  #waiting: ((message: { type: string }) => void) | null = null;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: { type: string }) => this.#waiting?.(message));
    child.on('exit', (code, signal) => this.#waiting?.({ type: 'exited', message: `exited (${signal ?? code})` } as { type: string }));
  }

  static async start(): Promise<StormLoad> {
    const child = fork(new URL('./storm-load.ts', import.meta.url), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const load = new StormLoad(child);
    try {
      await load.#next('ready', 30_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return load;
  }

  async storm(start: StormStart): Promise<StormSynced> {
    const answer = this.#next('synced', 120_000);
    this.#child.send(start);
    return (await answer) as StormSynced;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    if (this.#child.connected) this.#child.send({ type: 'close' });
    else this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  #next(type: string, timeoutMs: number): Promise<{ type: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the storm's load process sent no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      this.#waiting = (message) => {
        clearTimeout(timer);
        this.#waiting = null;
        if (message.type === type) resolve(message);
        else reject(new Error(`the storm's load process: ${(message as { message?: string }).message ?? message.type}`));
      };
    });
  }
}
