/**
 * A background worker lowers its own thread's CPU priority, and only its
 * own: the event loop, which every keystroke waits on, keeps its priority.
 * V8's collection helpers go down with them, in a process of their own here
 * (they are the whole process's).
 */
import { execFileSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const inWorker = `
  import { readlinkSync } from 'node:fs';
  import { getPriority } from 'node:os';
  import { parentPort } from 'node:worker_threads';
  const { lowerThisThreadsPriority, BACKGROUND_NICENESS } = await import(${JSON.stringify(new URL('../../server/threads/background-priority.ts', import.meta.url).href)});
  const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  const before = getPriority(threadId);
  const lowered = lowerThisThreadsPriority();
  parentPort.postMessage({ lowered, before, after: getPriority(threadId), expected: BACKGROUND_NICENESS });
`;

describe.runIf(process.platform === 'linux')('lowering a background thread\'s priority', () => {
  it('lowers the worker\'s own thread and leaves the event loop\'s thread as it was', async () => {
    const mainBefore = getPriority(process.pid);
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(inWorker)}`));
    const seen = await new Promise<{ lowered: boolean; before: number; after: number; expected: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();

    expect(seen.lowered).toBe(true);
    expect(seen.after).toBe(Math.max(seen.before, seen.expected));
    expect(seen.after).toBeGreaterThan(mainBefore);
    expect(getPriority(process.pid)).toBe(mainBefore);
  });

  it('lowers every one of V8\'s collection helpers and no other thread of the process', () => {
    const inProcess = `
      import { readdirSync, readFileSync } from 'node:fs';
      import { getPriority } from 'node:os';
      const { lowerGarbageCollectionHelpersPriority, GC_HELPER_NICENESS } = await import(${JSON.stringify(new URL('../../server/threads/background-priority.ts', import.meta.url).href)});
      const threads = () => readdirSync('/proc/self/task').map((id) => ({ name: readFileSync('/proc/self/task/' + id + '/comm', 'utf8').trim(), niceness: getPriority(Number(id)) }));
      const before = threads();
      const lowered = lowerGarbageCollectionHelpersPriority();
      console.log(JSON.stringify({ before, lowered, after: threads(), expected: GC_HELPER_NICENESS }));
    `;
    type Thread = { name: string; niceness: number };
    const seen = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', inProcess], { encoding: 'utf8' })) as { before: Thread[]; lowered: number; after: Thread[]; expected: number };
    const helpers = (threads: Thread[]) => threads.filter((thread) => thread.name === 'V8Worker');
    const others = (threads: Thread[]) => threads.filter((thread) => thread.name !== 'V8Worker');

    expect(helpers(seen.before).length).toBeGreaterThan(0);
    expect(seen.lowered).toBe(helpers(seen.before).length);
    expect(seen.expected).toBeGreaterThan(0);
    expect(helpers(seen.after).map((thread) => thread.niceness)).toEqual(helpers(seen.before).map(() => seen.expected));
    expect(others(seen.after)).toEqual(others(seen.before));
  });
});
