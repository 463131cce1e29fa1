/**
 * A signed-in person's document starts loading while their access to it is
 * still being decided (after a restart the load and the access queries then
 * overlap), but nothing of it reaches anyone before access is granted, and a
 * refused upgrade leaves no room behind in memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecideAuthorizations } from '../../server/collab/access.ts';
import { sqlDocumentStore } from '../../server/collab/storage.ts';
import { decideDocumentAuthorizations } from '../../server/wiring/document-policy.ts';
import { eventually, openRawSocket, upgradeStatus, waitFor, wsUrl } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, type Person } from '../helpers/incidents.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';

/** A room its last client left stays this long; declaring an incident loads its war room (it writes the first entries). */
const UNLOAD_MS = 1000;

describe.each(backends)('loading a document while access is decided (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let commander: Person;
  let outsider: Person;
  /** Documents whose load started, in order. */
  const loads: string[] = [];
  /** Access decisions in progress, each released by the test. */
  const deciding: { docId: string; release: () => void }[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    const store = sqlDocumentStore(db.sql);
    const gated: DecideAuthorizations = async (sql, userIds, docId) => {
      await new Promise<void>((release) => deciding.push({ docId, release }));
      return decideDocumentAuthorizations(sql, userIds, docId);
    };
    server = await startTestServer(db, {
      env: { COLLAB_UNLOAD_MS: String(UNLOAD_MS) },
      collab: {
        decideAuthorizations: gated,
        store: { ...store, load: (docId) => (loads.push(docId), store.load(docId)) },
      },
    });
    const { member } = await withAdmin(server);
    commander = await member('Cora');
    outsider = await member('Otto');
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  /** A new incident whose war room is stored and no longer loaded, as after a restart. */
  async function stored(body: Record<string, unknown> = {}) {
    const incident = await declare(commander, body);
    await eventually(() => expect(server.collab.loadedRoom(incident.docId)).toBeUndefined(), 3 * UNLOAD_MS);
    loads.length = 0;
    return incident;
  }

  it('has the document loading before access is decided, and sends it once access is granted', async () => {
    const incident = await stored();
    const opening = openRawSocket(server.url, incident.docId, commander.client.cookie);
    const decision = (await waitFor(() => deciding.find((d) => d.docId === incident.docId), 'the access decision'))!;

    await eventually(() => expect(loads).toContain(incident.docId));
    expect(server.collab.loadedRoom(incident.docId)?.connections.size ?? 0).toBe(0);

    decision.release();
    const socket = await opening;
    await eventually(() => expect(socket.messages.length).toBeGreaterThan(0));
    socket.ws.terminate();
  });

  it('answers a refused upgrade with 404 alone and keeps no room for it', async () => {
    const incident = await stored({ private: true });
    const refused = upgradeStatus(`${wsUrl(server.url)}/${incident.docId}`, { origin: server.url, cookie: outsider.client.cookie! });
    const decision = (await waitFor(() => deciding.find((d) => d.docId === incident.docId), 'the access decision'))!;
    await eventually(() => expect(server.collab.loadedRoom(incident.docId)).toBeDefined());

    decision.release();
    expect(await refused).toEqual({ status: 404, body: 'No such document.' });
    // Loaded for nobody: it goes at once, not after the unload delay of a room its last client left.
    await eventually(() => expect(server.collab.loadedRoom(incident.docId)).toBeUndefined(), UNLOAD_MS / 2);
  });
});
