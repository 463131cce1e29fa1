import { describe, expect, it } from 'vitest';
import { warmUpRoom } from '../../server/collab/warm-up.ts';
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
  it('loads a room from memory, syncs a connection from nothing and writes nothing', async () => {
    // Its store throws on any write; a warm-up that wrote would fail here (or never get its reply and time out).
    const warmed = warmUpRoom({ room, limits: { maxMessageBytes: 1024 * 1024, messagesPerSecond: 200, maxBufferedBytes: 4 * 1024 * 1024 } });
    await expect(warmed).resolves.toBeUndefined();
  });
});
