import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { connectProvider, newDocument, openRawSocket, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestClient, type TestServer } from '../helpers/server.ts';
import { findHalfApplyingUpdate, reloadDocument, sameDocument, syncFrame } from '../helpers/yjs.ts';

describe.each(backends)('bad input on a live document (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let good: TestClient;
  let attacker: { client: TestClient; user: { id: string } };
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db, { env: { COLLAB_MAX_MESSAGE_BYTES: '4096', COLLAB_MESSAGES_PER_SECOND: '50' } });
    const team = await withAdmin(server);
    good = team.admin.client;
    attacker = await team.member('Mallory');
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  /** Two honest editors on a fresh document, already in sync. */
  async function honestPair() {
    const docId = await newDocument(db.sql);
    const docA = new Y.Doc();
    docA.clientID = 1; // see findHalfApplyingUpdate
    const a = connectProvider(server.url, docId, good.cookie, { doc: docA });
    const b = connectProvider(server.url, docId, good.cookie);
    providers.push(a, b);
    await Promise.all([a.synced(), b.synced()]);
    a.doc.getText('t').insert(0, 'hello world');
    a.doc.getMap('m').set('x', 1);
    a.doc.getMap('m').set('nested', new Y.Map());
    await waitFor(() => b.doc.getText('t').toString() === 'hello world', 'b to catch up');
    return { docId, a, b };
  }

  async function expectUnharmed(docId: string, a: TestProvider, b: TestProvider, marker: string) {
    a.doc.getArray<string>('after').push([marker]);
    await waitFor(() => b.doc.getArray('after').toArray().includes(marker), 'honest editing to continue');
    expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true);
    const room = server.collab.loadedRoom(docId)!;
    await room.flush();
    const stored = await reloadDocument(db.sql, docId);
    expect(sameDocument(stored, room.doc)).toBe(true);
    expect(sameDocument(stored, b.doc)).toBe(true);
    const traces = await db.sql`select seq from document_updates where doc_id = ${docId} and user_id = ${attacker.user.id}`;
    expect(traces).toEqual([]);
  }

  it('closes an oversized message with 1009', async () => {
    const { docId, a, b } = await honestPair();
    const socket = await openRawSocket(server.url, docId, attacker.client.cookie);
    socket.ws.send(new Uint8Array(5000));
    expect((await socket.closed).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    await expectUnharmed(docId, a, b, 'after-oversized');
  });

  it('closes garbage, unknown message types and text frames; the room carries on', async () => {
    const { docId, a, b } = await honestPair();
    for (const frame of [new Uint8Array([0xff, 0xff, 0xff]), new Uint8Array([7, 1, 2]), syncFrame(2, new Uint8Array([1, 2, 3, 4, 5, 6]))]) {
      const socket = await openRawSocket(server.url, docId, attacker.client.cookie);
      socket.ws.send(frame);
      expect((await socket.closed).code).toBe(CloseCode.MALFORMED);
    }
    const text = await openRawSocket(server.url, docId, attacker.client.cookie);
    text.ws.send('hello');
    expect((await text.closed).code).toBe(CloseCode.UNSUPPORTED_DATA);
    await expectUnharmed(docId, a, b, 'after-garbage');
  });

  it('a Yjs update that throws half-way is never stored or sent, and the room reloads a clean document', async () => {
    const { docId, a, b } = await honestPair();
    const room = server.collab.loadedRoom(docId)!;
    await room.flush();
    const corrupt = findHalfApplyingUpdate(Y.encodeStateAsUpdate(room.doc));
    const socket = await openRawSocket(server.url, docId, attacker.client.cookie);
    socket.ws.send(syncFrame(2, corrupt));
    // Honest edits sent at the same moment are held while the room reloads, then applied.
    a.doc.getMap('m').set('during', 'recovery');
    expect((await socket.closed).code).toBe(CloseCode.MALFORMED);
    await waitFor(() => b.doc.getMap('m').get('during') === 'recovery', 'the held edit to arrive');
    expect(b.doc.getText('t').toString()).toBe('hello world');
    await expectUnharmed(docId, a, b, 'after-corrupt');
  });

  it('slows a connection that sends faster than the rate limit down instead of closing it', async () => {
    const { docId, a, b } = await honestPair();
    const socket = await openRawSocket(server.url, docId, attacker.client.cookie);
    const stepOne = syncFrame(0, new Uint8Array([0]));
    for (let i = 0; i < 200; i++) socket.ws.send(stepOne);
    // Handled in order after the 200 requests (50 a second here): when others see it, all were handled.
    const marker = new Y.Doc();
    marker.getMap('flood').set('state', 'over');
    socket.ws.send(syncFrame(2, Y.encodeStateAsUpdate(marker)));
    a.doc.getArray<string>('after').push(['during-flood']);
    await waitFor(() => b.doc.getArray('after').toArray().includes('during-flood'), 'honest editing during the flood');
    await waitFor(() => b.doc.getMap('flood').get('state') === 'over', 'the change sent behind the flood', 20_000);
    // Requests that arrive while a reply is owed share that reply; the sender got answers and stays connected.
    expect(socket.messages.filter((m) => m[0] === 0 && m[1] === 1).length).toBeGreaterThan(0);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.ws.close();
  });
});
