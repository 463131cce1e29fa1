import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecideAuthorizations } from '../../server/collab/access.ts';
import { decideDocumentAuthorizations } from '../../server/wiring/document-policy.ts';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { connectProvider, newDocument, openRawSocket, upgradeStatus, waitFor, wsUrl, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestServer, withAdmin, type TestClient, type TestServer } from '../helpers/server.ts';

describe.each(backends)('who may open a live document (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let admin: { client: TestClient; user: { id: string } };
  let newMember: Awaited<ReturnType<typeof withAdmin>>['member'];
  let member: Awaited<ReturnType<typeof newMember>>;
  /** Documents the injected access function answers 'read' for. */
  const readOnlyDocs = new Set<string>();
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    const decideAuthorizations: DecideAuthorizations = async (sql, userIds, docId) => {
      const real = await decideDocumentAuthorizations(sql, userIds, docId);
      if (!readOnlyDocs.has(docId)) return real;
      return new Map([...real].map(([userId, decided]) => [userId, decided.access === 'write' ? { ...decided, access: 'read' } : decided]));
    };
    server = await startTestServer(db, {
      env: { COLLAB_MAX_CONNECTIONS_PER_DOC: '3' },
      collab: { decideAuthorizations, sessionCheckMs: 200, readOnlyStrikes: 2 },
      pingIntervalMs: 200,
    });
    const team = await withAdmin(server);
    admin = team.admin;
    newMember = team.member;
    member = await newMember('Member');
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  const url = (docId: string) => `${wsUrl(server.url)}/${docId}`;
  const sameSite = () => ({ origin: server.url, cookie: admin.client.cookie! });

  it('refuses before upgrading: 401 without a valid session, 404 for unknown documents and paths, 403 cross-site', async () => {
    const docId = await newDocument(db.sql);
    expect((await upgradeStatus(url(docId), { origin: server.url })).status).toBe(401);
    expect((await upgradeStatus(url(docId), { origin: server.url, cookie: 'warroom_session=abc.def' })).status).toBe(401);
    expect((await upgradeStatus(url('no-such-doc'), sameSite())).status).toBe(404);
    expect((await upgradeStatus(`${wsUrl(server.url)}/${docId}/extra`, sameSite())).status).toBe(404);
    expect((await upgradeStatus(server.url.replace(/^http/, 'ws') + '/api/whatever', sameSite())).status).toBe(404);
    const crossSite = await upgradeStatus(url(docId), { ...sameSite(), origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toMatch(/cross-site/i);
    expect((await upgradeStatus(url(docId), sameSite())).status).toBe(101);
  });

  it('refuses a connection beyond the per-document limit with 503', async () => {
    const docId = await newDocument(db.sql);
    const open = await Promise.all([1, 2, 3].map(() => openRawSocket(server.url, docId, admin.client.cookie)));
    expect((await upgradeStatus(url(docId), sameSite())).status).toBe(503);
    open[0].ws.close();
    await open[0].closed;
    await waitFor(() => server.collab.connectionCount(docId) === 2, 'the slot to free up');
    expect((await upgradeStatus(url(docId), sameSite())).status).toBe(101);
    for (const socket of open) socket.ws.close();
  });

  it('a read-only participant receives everything, but its changes are neither applied nor stored', async () => {
    const docId = await newDocument(db.sql);
    const writer = connectProvider(server.url, docId, admin.client.cookie);
    providers.push(writer);
    await writer.synced();
    writer.doc.getMap('m').set('from', 'writer');
    readOnlyDocs.add(docId);
    const reader = connectProvider(server.url, docId, member.client.cookie);
    providers.push(reader);
    await reader.synced();
    expect(reader.doc.getMap('m').get('from')).toBe('writer');

    reader.doc.getMap('m').set('from', 'reader');
    writer.doc.getMap('m').set('later', 'still flowing');
    await waitFor(() => reader.doc.getMap('m').get('later') === 'still flowing', 'the reader to keep receiving');
    await server.collab.loadedRoom(docId)!.flush();
    expect(writer.doc.getMap('m').get('from')).toBe('writer');
    expect(server.collab.loadedRoom(docId)!.doc.getMap('m').get('from')).toBe('writer');
    const stored = await db.sql`select user_id from document_updates where doc_id = ${docId} and user_id = ${member.user.id}`;
    expect(stored).toEqual([]);

    // It keeps trying: closed with the read-only code, which also stops the provider reconnecting.
    reader.doc.getMap('m').set('again', 1);
    await waitFor(() => reader.closes.includes(CloseCode.READ_ONLY), 'the read-only close');
    expect(server.collab.loadedRoom(docId)!.doc.getMap('m').has('again')).toBe(false);
  });

  it('closes the websockets of a session within seconds of logout, and of a deactivated user', async () => {
    const docId = await newDocument(db.sql);
    const extra = await newMember();
    const socket = await openRawSocket(server.url, docId, extra.client.cookie);
    const other = await openRawSocket(server.url, docId, admin.client.cookie);
    expect((await extra.client.post('/api/auth/logout')).status).toBe(200);
    expect((await socket.closed).code).toBe(CloseCode.SESSION_ENDED);

    const deactivated = await newMember();
    const socket2 = await openRawSocket(server.url, docId, deactivated.client.cookie);
    expect((await admin.client.post(`/api/admin/users/${deactivated.user.id}/deactivate`)).status).toBe(200);
    expect((await socket2.closed).code).toBe(CloseCode.SESSION_ENDED);
    expect(other.ws.readyState).toBe(other.ws.OPEN);
    other.ws.close();
  });

  it('lets no remembered session outlive its logout: an upgrade right after is cut with the open ones, then refused', async () => {
    const docId = await newDocument(db.sql);
    const extra = await newMember();
    const cookie = extra.client.cookie!;
    const open = await openRawSocket(server.url, docId, cookie);
    expect((await extra.client.post('/api/auth/logout')).status).toBe(200);
    // Upgrades remember sessions, so one right after logout may still get in; the session sweep cuts it with the rest.
    const late = await openRawSocket(server.url, docId, cookie).then(
      (socket) => socket,
      (error: Error) => {
        expect(error.message).toMatch(/401/);
        return null;
      },
    );
    expect((await open.closed).code).toBe(CloseCode.SESSION_ENDED);
    if (late) expect((await late.closed).code).toBe(CloseCode.SESSION_ENDED);
    const again = await upgradeStatus(`${wsUrl(server.url)}/${docId}`, { origin: server.url, cookie });
    expect(again.status).toBe(401);
  });

  // The test's own deadline, not a speed claim: with pings every 200 ms a silent socket must go long before it.
  it('drops a connection that stops answering pings', { timeout: 10_000 }, async () => {
    const docId = await newDocument(db.sql);
    const silent = await openRawSocket(server.url, docId, admin.client.cookie, { autoPong: false });
    const { code } = await silent.closed;
    expect(code).toBe(1006);
  });
});
