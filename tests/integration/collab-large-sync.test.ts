/**
 * A large war room written the way people write it (big changes from a
 * client, compacted as it grows), closed, and opened again by someone else:
 * the room loads its large rows in pieces (cut on a worker thread), and the
 * newcomer is told it is synced only once it holds the whole document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTimelineEntry } from '../../server/shared/war-room-doc.ts';
import { connectProvider, newDocument, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';

// 40 changes of 1,000 entries: about 13 MB, under the default document budget (16 MiB).
const CHANGES = 40;
const PER_CHANGE = 1000;

describe.each(backends)('opening a large war room (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let team: Awaited<ReturnType<typeof withAdmin>>;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db, { env: { COLLAB_UNLOAD_MS: '100', COLLAB_MESSAGES_PER_SECOND: '100000', COLLAB_WRITE_BYTES_PER_SECOND: '1073741824' } });
    team = await withAdmin(server);
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  it('tells a newcomer it is synced only when every entry has arrived', { timeout: 300_000 }, async () => {
    const docId = await newDocument(db.sql);
    const writer = connectProvider(server.url, docId, team.admin.client.cookie);
    providers.push(writer);
    await writer.synced();
    const author = { id: 'u', name: 'Someone' };
    for (let i = 0; i < CHANGES; i++) {
      writer.doc.transact(() => {
        for (let j = 0; j < PER_CHANGE; j++) addTimelineEntry(writer.doc, { at: new Date().toISOString(), kind: 'note', text: `Entry ${i * PER_CHANGE + j}: checked the dashboards again`, author, hypothesisId: null });
      });
      await waitFor(() => (writer.provider.ws?.bufferedAmount ?? 0) === 0, 'the change to be sent');
    }
    await waitFor(async () => server.collab.loadedRoom(docId)?.doc.getMap('timeline').size === CHANGES * PER_CHANGE, 'the room to hold every entry', 120_000);
    writer.destroy();
    await waitFor(() => !server.collab.loadedRoom(docId), 'the room to unload', 60_000);

    const reader = connectProvider(server.url, docId, team.admin.client.cookie);
    providers.push(reader);
    let atSync = -1;
    reader.provider.once('sync', () => (atSync = reader.doc.getMap('timeline').size));
    await waitFor(() => atSync >= 0, 'the reader to sync', 240_000);
    expect(atSync).toBe(CHANGES * PER_CHANGE);
  });
});
