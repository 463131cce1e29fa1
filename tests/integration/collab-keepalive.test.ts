/**
 * A client alone in its room, with nothing changing: the server has nothing
 * to send it (its own presence is never sent back), and the stock client
 * drops a connection that heard nothing for 30 s and resends its whole state.
 * The upgrade's heartbeat keeps it hearing NOTHING_NEW instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTHING_NEW } from '../../server/collab/protocol.ts';
import { newDocument, openRawSocket, waitFor } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';

const KEEPALIVE_MS = 100;
const isNothingNew = (frame: Uint8Array) => Buffer.from(frame).equals(NOTHING_NEW);

describe.each(backends)('a connection the server has nothing to send (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let team: Awaited<ReturnType<typeof withAdmin>>;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db, { keepaliveMs: KEEPALIVE_MS });
    team = await withAdmin(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('hears NOTHING_NEW about once per interval while alone in a loaded room, and nothing else', async () => {
    const docId = await newDocument(db.sql);
    const openedAt = Date.now();
    const socket = await openRawSocket(server.url, docId, team.admin.client.cookie);
    try {
      await waitFor(() => socket.messages.length > 0, 'the sync step 1');
      const joined = socket.messages.length;
      await waitFor(() => socket.messages.filter(isNothingNew).length >= 3, 'three keepalives');
      expect(socket.messages.slice(joined).every(isNothingNew)).toBe(true);
      // One heartbeat tick per interval, each sending one at most.
      expect(socket.messages.filter(isNothingNew).length).toBeLessThanOrEqual(Math.ceil((Date.now() - openedAt) / KEEPALIVE_MS) + 1);
    } finally {
      socket.ws.close();
    }
  });
});
