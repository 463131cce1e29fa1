/**
 * The reconnect storm's clients, in a process of their own (forked by
 * storm.ts, on the load generator's core). Sharing one event loop with the
 * other room's typist and readers, 2,000 handshakes and syncs queued every
 * update the readers received behind them: the figure measured the load
 * generator's backlog (100–300 ms, for the in-memory anchors too) rather than
 * the server's. Here the OS shares the core between the two processes.
 *
 * Messages: {type: 'start', endpoints, fillUpdates} opens every client at
 * once and answers {type: 'synced', …} when all are synced or gave up;
 * {type: 'close'} closes them and exits.
 */
import { connectWithRetry, type CollabClient, type Endpoint } from '../client.ts';
import { ClockReader } from '../typing.ts';
import { hocuspocus, yWebsocket } from '../wire.ts';

/** An endpoint as it crosses to this process: its dialect (an object of functions) by name. */
export type PlainEndpoint = Omit<Endpoint, 'dialect'> & { dialect: Endpoint['dialect']['name'] };

export interface StormStart {
  type: 'start';
  endpoints: PlainEndpoint[];
  fillUpdates: number;
}

export interface StormSynced {
  type: 'synced';
  stormMs: number;
  retries: number;
  failed: number;
  firstError: string;
  /** Clients whose sync brought every typed character, and those whose brought none. */
  intact: number;
  empty: number;
}

const clients: CollabClient[] = [];

async function storm({ endpoints, fillUpdates }: StormStart): Promise<StormSynced> {
  const clocks = new ClockReader();
  const typed = new Int32Array(endpoints.length);
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    endpoints.map((endpoint, i) =>
      connectWithRetry({ ...endpoint, dialect: endpoint.dialect === 'hocuspocus' ? hocuspocus : yWebsocket }, {
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
  const counts = Array.from(typed);
  return {
    type: 'synced',
    stormMs,
    retries,
    failed,
    firstError,
    intact: counts.filter((count) => count === fillUpdates).length,
    empty: counts.filter((count) => count === 0).length,
  };
}

process.on('message', (message: StormStart | { type: 'close' }) => {
  if (message.type === 'start') {
    storm(message).then(
      (synced) => process.send!(synced),
      (error: unknown) => process.send!({ type: 'failed', message: (error as Error).message }),
    );
    return;
  }
  for (const client of clients) client.close();
  // Let the close frames go out before leaving.
  setTimeout(() => process.exit(0), 200);
});
// The benchmark went away: so do its clients.
process.on('disconnect', () => process.exit(1));
process.send!({ type: 'ready' });
