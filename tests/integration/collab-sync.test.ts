import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { presenceColor, presenceColorLight } from '../../server/shared/presence.ts';
import { addTimelineEntry, readTimeline } from '../../server/shared/war-room-doc.ts';
import { connectProvider, newDocument, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';

describe.each(backends)('live documents over the stock y-websocket provider (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cookie: string;
  let userId: string;
  const providers: TestProvider[] = [];
  const connect = (docId: string, options: { doc?: Y.Doc; cookie?: string } = {}) => {
    const provider = connectProvider(server.url, docId, options.cookie ?? cookie, options);
    providers.push(provider);
    return provider;
  };

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    const { admin } = await withAdmin(server);
    cookie = admin.client.cookie!;
    userId = admin.user.id;
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  it('two clients editing at once converge, and a third joining later gets everything', async () => {
    const docId = await newDocument(db.sql);
    const a = connect(docId);
    const b = connect(docId);
    await Promise.all([a.synced(), b.synced()]);

    for (let i = 0; i < 20; i++) {
      a.doc.getText('notes').insert(0, `a${i} `);
      b.doc.getText('notes').insert(b.doc.getText('notes').length, `b${i} `);
      b.doc.getArray<number>('list').push([i]);
    }
    await waitFor(() => a.doc.getText('notes').toString() === b.doc.getText('notes').toString() && a.doc.getArray('list').length === 20, 'a and b to converge');
    expect(a.doc.getText('notes').toString()).toContain('a19');
    expect(a.doc.getText('notes').toString()).toContain('b19');

    const c = connect(docId);
    await c.synced();
    expect(c.doc.getText('notes').toString()).toBe(a.doc.getText('notes').toString());
    expect(c.doc.getArray('list').toArray()).toEqual(b.doc.getArray('list').toArray());
  });

  it('a client that went offline and edited converges after reconnecting', async () => {
    const docId = await newDocument(db.sql);
    const a = connect(docId);
    const b = connect(docId);
    await Promise.all([a.synced(), b.synced()]);
    a.doc.getMap('m').set('before', 1);
    await waitFor(() => b.doc.getMap('m').get('before') === 1, 'b to see the first edit');

    b.provider.disconnect();
    b.doc.getMap('m').set('offline', 'written while away');
    a.doc.getMap('m').set('online', 'written meanwhile');
    // Nothing to wait for: b has no socket, so its edit cannot have left it.
    expect(a.doc.getMap('m').get('offline')).toBeUndefined();

    b.provider.connect();
    await waitFor(() => a.doc.getMap('m').get('offline') && b.doc.getMap('m').get('online'), 'both to see the other side');
    expect(a.doc.getMap('m').toJSON()).toEqual(b.doc.getMap('m').toJSON());
  });

  it('persists before anyone else sees a change: each update is in the log with its author', async () => {
    const docId = await newDocument(db.sql);
    const a = connect(docId);
    const b = connect(docId);
    await Promise.all([a.synced(), b.synced()]);
    let seenInDb = true;
    b.doc.on('update', () => {
      // Called when b receives a's change: by then the row must exist.
      void db.sql`select count(*)::int as n from document_updates where doc_id = ${docId}`.then(([row]) => {
        if ((row.n as number) === 0) seenInDb = false;
      });
    });
    a.doc.getText('t').insert(0, 'hello');
    await waitFor(() => b.doc.getText('t').toString() === 'hello', 'b to receive');
    const rows = await db.sql<{ user_id: string; created_at: Date }>`select user_id, created_at from document_updates where doc_id = ${docId}`;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.user_id === userId)).toBe(true);
    expect(Math.abs(rows[0].created_at.getTime() - Date.now())).toBeLessThan(60_000);
    expect(seenInDb).toBe(true);
  });

  it('server-side changes reach open clients and documents nobody has open, attributed to the actor', async () => {
    const docId = await newDocument(db.sql);
    await server.collab.changeDocument(docId, null, (doc) => {
      addTimelineEntry(doc, { at: '2026-01-01T00:00:00.000Z', kind: 'alert', text: 'paged', author: null, hypothesisId: null, auto: true });
    });
    const a = connect(docId);
    await a.synced();
    expect(readTimeline(a.doc).map((e) => e.text)).toEqual(['paged']);

    await server.collab.changeDocument(docId, userId, (doc) => {
      addTimelineEntry(doc, { at: '2026-01-01T00:01:00.000Z', kind: 'action', text: 'rolled back', author: { id: userId, name: 'Admin' }, hypothesisId: null });
    });
    await waitFor(() => readTimeline(a.doc).length === 2, 'the second entry to arrive');
    const authors = await db.sql<{ user_id: string | null }>`select user_id from document_updates where doc_id = ${docId} order by seq`;
    expect(authors.map((r) => r.user_id)).toEqual([null, userId]);
  });

  it('presence carries the identity from the session, not what the client claims, and leaves with the client', async () => {
    const docId = await newDocument(db.sql);
    const liar = connect(docId);
    const watcher = connect(docId);
    liar.provider.awareness.setLocalStateField('user', { id: 'someone-else', name: 'CEO', color: 'red', role: 'commander' });
    liar.provider.awareness.setLocalStateField('editing', 'timeline');
    await Promise.all([liar.synced(), watcher.synced()]);
    const seen = (await waitFor(() => watcher.provider.awareness.getStates().get(liar.doc.clientID), "the liar's presence"))!;
    expect(seen.user).toEqual({ id: userId, name: 'Admin', color: presenceColor(userId), colorLight: presenceColorLight(userId), role: null });
    expect(seen.editing).toBe('timeline');

    liar.provider.disconnect();
    await waitFor(() => !watcher.provider.awareness.getStates().has(liar.doc.clientID), 'the presence to be removed');
  });
});
