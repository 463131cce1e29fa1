import { describe, expect, it } from 'vitest';
import { WARM_UP_PASSES, warmUpRoom } from '../../server/collab/warm-up.ts';
import { createLogger } from '../../server/log.ts';

const log = createLogger('silent');

const room = {
  log,
  compactAfterUpdates: 500,
  compactAfterBytes: 1024 * 1024,
  readOnlyStrikes: 3,
  commitDelayMs: 0,
  presenceFlushMs: 50,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxDocumentBytes: 16 * 1024 * 1024,
};

describe('warming up a room before taking connections', () => {
  it('loads a room from memory and syncs a connection from nothing, once per pass, writing nothing', async () => {
    // Its store refuses any write and the warm-up then rejects; a pass that never got its reply would time out.
    const warmed = warmUpRoom({ room, limits: { maxMessageBytes: 1024 * 1024, messagesPerSecond: 200, maxBufferedBytes: 4 * 1024 * 1024 } });
    await expect(warmed).resolves.toBe(WARM_UP_PASSES);
  });
});
