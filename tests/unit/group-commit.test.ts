import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../server/collab/group-commit.ts';

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await null;
};

describe('group commit', () => {
  // The queue's drain ends, then a moment later marks itself stopped running. Work queued in
  // between must start a new drain, not wait for one that will never look again.
  it('runs work queued just as the previous drain was finishing', async () => {
    for (let delay = 0; delay < 12; delay++) {
      const written: number[] = [];
      const queue = new GroupCommit<number>({ write: async (batch) => void written.push(...batch), onError: (error) => {
        throw error;
      } });
      const done = queue.exclusive(async () => {}).then(async () => {
        await ticks(delay);
        const task = queue.exclusive(async () => {});
        queue.push(delay);
        return task;
      });
      const outcome = await Promise.race([done.then(() => 'ran'), new Promise((resolve) => setTimeout(() => resolve('stranded'), 500))]);
      expect(outcome, `work queued ${delay} microtasks after the last task`).toBe('ran');
      await queue.idle();
      expect(written).toEqual([delay]);
    }
  });
});
