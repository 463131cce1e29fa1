/**
 * A document that takes long to load (a huge war room on a busy machine).
 * The stock client gives up on a connection on which nothing arrived for
 * 30 s and starts over, which on a slow load means never getting in: so
 * while the room loads, the server sends the waiting connection something
 * harmless now and then, and the client stays on the same connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlDocumentStore, type DocumentStore } from '../../server/collab/storage.ts';
import { connectProvider, newDocument, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';

describe.each(backends)('a connection waiting for its document to load (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let team: Awaited<ReturnType<typeof withAdmin>>;
  let loadGate: Promise<void> = Promise.resolve();
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    const stored = sqlDocumentStore(db.sql);
    // Loads wait for the test to let them through: a stand-in for a document that takes long to read and apply.
    const slow: DocumentStore = {
      load: async (docId) => {
        await loadGate;
        return stored.load(docId);
      },
      append: (docId, updates) => stored.append(docId, updates),
      compact: (docId, segments, coversSeq) => stored.compact(docId, segments, coversSeq),
    };
    server = await startTestServer(db, { collab: { store: slow }, keepaliveMs: 50 });
    team = await withAdmin(server);
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  it('keeps receiving something harmless until the document is there, then syncs on the same connection', async () => {
    const docId = await newDocument(db.sql);
    let release!: () => void;
    loadGate = new Promise((resolve) => (release = resolve));
    const reader = connectProvider(server.url, docId, team.admin.client.cookie);
    providers.push(reader);
    await waitFor(() => reader.provider.wsconnected, 'the connection to open');
    const socket = reader.provider.ws!;
    let frames = 0;
    socket.addEventListener('message', () => frames++);

    try {
      await waitFor(() => frames >= 3, 'frames while the document loads');
      expect(reader.provider.synced).toBe(false);
      // Nothing the client would show: no one else present, no content.
      expect([...reader.provider.awareness.getStates().keys()]).toEqual([reader.doc.clientID]);
    } finally {
      release();
    }
    await reader.synced();
    expect(reader.provider.ws).toBe(socket);
    expect(reader.closes).toEqual([]);
  });
});
