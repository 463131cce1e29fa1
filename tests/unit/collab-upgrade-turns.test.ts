import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpgradeTurns } from '../../server/collab/upgrade-turns.ts';

/** Work that holds the thread for `ms`, like an upgrade's handshake and room join. */
const hold = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('upgrades taking turns with the rest of the server', () => {
  it('goes on with the next upgrades after one throws', async () => {
    const turns = new UpgradeTurns(1);
    const ran: string[] = [];
    let lastRan: () => void = () => {};
    const done = new Promise<void>((resolve) => (lastRan = resolve));
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener('uncaughtException', onUncaught);
    try {
      turns.run(() => {
        throw new Error('a broken upgrade');
      });
      turns.run(() => (ran.push('next'), lastRan()));
      await done;
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(ran).toEqual(['next']);
    expect(turns.waiting).toBe(0);
  });

  let server: Server | null = null;
  afterEach(() => server?.close());

  it('runs a storm of upgrades in order, a budget per turn, so requests that arrive meanwhile are answered between them', async () => {
    // A live room's edit stands for "other I/O": a local HTTP request answered while the storm is queued.
    server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const turns = new UpgradeTurns(1);
    const ran: number[] = [];
    let answeredAfter = -1;
    const answered = fetch(url).then(async (response) => {
      await response.text();
      answeredAfter = ran.length;
    });
    // 200 upgrades of half a millisecond each: 100 ms of work queued at once.
    for (let i = 0; i < 200; i++) turns.run(() => (hold(0.5), ran.push(i)));
    expect(turns.waiting).toBe(200);
    await answered;
    await new Promise<void>(function wait(resolve) {
      if (turns.waiting === 0) resolve();
      else setTimeout(() => wait(resolve), 5);
    });

    expect(ran).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // Run in one go, the request would be answered only after all 200.
    expect(answeredAfter).toBeGreaterThanOrEqual(0);
    expect(answeredAfter).toBeLessThan(100);
  });

  it('runs an upgrade on the next turn when nothing waits, and one per turn when one takes longer than the budget', async () => {
    const turns = new UpgradeTurns(1);
    const ran: string[] = [];
    turns.run(() => ran.push('first'));
    expect(ran).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['first']);

    let between = 0;
    let lastRan: () => void = () => {};
    const bothRan = new Promise<void>((resolve) => (lastRan = resolve));
    turns.run(() => (hold(3), ran.push('slow 1')));
    turns.run(() => (hold(3), ran.push('slow 2'), lastRan()));
    setImmediate(() => (between = ran.length));
    await bothRan;
    expect(ran).toEqual(['first', 'slow 1', 'slow 2']);
    // The turn that ran the first slow one stopped there.
    expect(between).toBe(2);
  });
});
