import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { createServices } from '../../server/wiring/services.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';

describe.each(backends)('warming up the websocket handshake before listening (%s)', (backend) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('refuses an upgrade without a session, echoes a frame on an accepted one, and leaves nothing open', async () => {
    const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
    const services = createServices({ sql: db.sql, config, log: createLogger('silent') });
    const handlesBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap' || kind === 'TCPSocketWrap').length;
    try {
      // Fails if the refused upgrade were accepted, or a step did not finish.
      await services.onUpgrade.warmUp();
      expect(services.collab.stats).toEqual({ rooms: 0, connections: 0 });
      // The loopback listener and its sockets are closed (a socket's handle may take a turn to go).
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap' || kind === 'TCPSocketWrap').length).toBeLessThanOrEqual(handlesBefore);
    } finally {
      await services.collab.close();
      await services.replay.close();
    }
  });
});
