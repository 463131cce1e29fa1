import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { findInsertingChange, listChanges } from '../../server/collab/history.ts';
import { frag } from '../../server/db/sql.ts';
import { connectProvider, newDocument, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestClient, type TestServer } from '../helpers/server.ts';
import { reloadDocument, sameDocument } from '../helpers/yjs.ts';

const UPDATES = 3000;

describe.each(backends)('live documents in the database (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let ana: { client: TestClient; user: { id: string } };
  let ben: { client: TestClient; user: { id: string } };
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db, { env: { COLLAB_UNLOAD_MS: '200', COLLAB_MESSAGES_PER_SECOND: '100000', COLLAB_WRITE_BYTES_PER_SECOND: '1073741824' } });
    const team = await withAdmin(server);
    ana = team.admin;
    ben = await team.member('Ben');
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  const count = async (table: 'document_updates' | 'document_history', docId: string) =>
    (await db.sql<{ n: number }>`select count(*)::int as n from ${table === 'document_updates' ? frag`document_updates` : frag`document_history`} where doc_id = ${docId}`)[0]?.n;

  it(`compacts thousands of updates: the reloaded document is identical, the log shorter, attribution kept`, async () => {
    const docId = await newDocument(db.sql);
    const a = connectProvider(server.url, docId, ana.client.cookie);
    const b = connectProvider(server.url, docId, ben.client.cookie);
    providers.push(a, b);
    await Promise.all([a.synced(), b.synced()]);

    a.doc.getMap('owners').set('ana', 'wrote this');
    b.doc.getMap('owners').set('ben', 'wrote that');
    for (let i = 0; i < UPDATES; i++) {
      const doc = i % 2 === 0 ? a.doc : b.doc;
      doc.getText('notes').insert(0, String.fromCharCode(97 + (i % 26)));
      if (i % 10 === 9) doc.getText('notes').delete(0, 1);
    }
    await waitFor(() => a.doc.getText('notes').toString() === b.doc.getText('notes').toString() && a.doc.getText('notes').length > 0, 'a and b to converge', 30_000);
    const room = server.collab.loadedRoom(docId)!;
    await room.flush();
    await waitFor(async () => (await db.sql`select 1 from document_snapshots where doc_id = ${docId}`).length > 0, 'a snapshot');

    // Every character either of them typed is attributed to who typed it (a burst by one person may share a row).
    const changes = await listChanges(db.sql, docId);
    for (const [writer, userId] of [[a.doc, ana.user.id], [b.doc, ben.user.id]] as const) {
      const typed = Y.decodeStateVector(Y.encodeStateVector(writer)).get(writer.clientID)!;
      const covered = new Array<boolean>(typed).fill(false);
      for (const change of changes) {
        const range = change.ids.i[String(writer.clientID)];
        if (!range) continue;
        expect(change.userId).toBe(userId);
        for (let clock = range[0]; clock < range[1]; clock++) covered[clock] = true;
      }
      expect(covered.every(Boolean)).toBe(true);
    }
    expect(await count('document_updates', docId)).toBeLessThan(changes.length / 2);
    expect(sameDocument(await reloadDocument(db.sql, docId), a.doc)).toBe(true);

    // Who wrote an item survives compaction.
    const item = (map: Y.Map<unknown>, key: string) => (map as unknown as { _map: Map<string, Y.Item> })._map.get(key)!.id;
    const owners = room.doc.getMap('owners');
    expect((await findInsertingChange(db.sql, docId, item(owners, 'ana')))?.userId).toBe(ana.user.id);
    expect((await findInsertingChange(db.sql, docId, item(owners, 'ben')))?.userId).toBe(ben.user.id);

    // Everyone leaves: the room unloads, compacting the rest; a newcomer loads the identical document.
    const expected = a.doc.getText('notes').toString();
    a.provider.disconnect();
    b.provider.disconnect();
    await waitFor(() => !server.collab.loadedRoom(docId), 'the room to unload', 5000);
    await waitFor(async () => (await count('document_updates', docId)) === 0, 'the log to be compacted on unload', 5000);
    const c = connectProvider(server.url, docId, ben.client.cookie);
    providers.push(c);
    await c.synced();
    expect(c.doc.getText('notes').toString()).toBe(expected);
    expect(sameDocument(c.doc, b.doc)).toBe(true);
  });

  it('two compactions of one room at once (the threshold\'s and the unload\'s) both succeed and store each change once', async () => {
    const docId = await newDocument(db.sql);
    const a = connectProvider(server.url, docId, ana.client.cookie);
    providers.push(a);
    await a.synced();
    // One stored row per item (each waits for the last to be committed), about two segments in all.
    const room = server.collab.loadedRoom(docId)!;
    for (let i = 0; i < 30; i++) {
      a.doc.getArray('items').push([`item ${i} `.repeat(1000)]);
      await waitFor(() => room.doc.getArray('items').length === i + 1, 'the room to hold the item');
      await room.flush();
    }
    const logged = await count('document_updates', docId);
    expect(logged).toBeGreaterThan(1);

    await Promise.all([room.compact(), room.compact()]);

    expect(await count('document_updates', docId)).toBe(0);
    expect(await count('document_history', docId)).toBe(logged);
    const [{ bytes }] = await db.sql<{ bytes: number }>`select coalesce(sum(octet_length(state)), 0)::int as bytes from document_snapshots where doc_id = ${docId}`;
    expect(bytes).toBeLessThan(2 * Y.encodeStateAsUpdate(a.doc).byteLength);
    expect(sameDocument(await reloadDocument(db.sql, docId), a.doc)).toBe(true);
    a.destroy();
  });

  it('a server-side change on a document nobody has open is stored and the room unloads again', async () => {
    const docId = await newDocument(db.sql);
    await server.collab.changeDocument(docId, null, (doc) => doc.getMap('meta').set('rev', 7));
    expect(await count('document_updates', docId)).toBe(1);
    await waitFor(() => !server.collab.loadedRoom(docId), 'the room to unload', 5000);
    expect((await reloadDocument(db.sql, docId)).getMap('meta').get('rev')).toBe(7);
  });
});
