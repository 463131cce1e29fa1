import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addTimelineEntry, meta, readTimeline } from '../../server/shared/war-room-doc.ts';
import { connectDoc, eventually, handledBy, resyncedAfterClose, upgradeStatus, wsUrl } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

describe.each(backends)('incident events in the live war room (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const providers: WebsocketProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.destroy();
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  async function connect(client: TestClient, docId: string): Promise<{ doc: Y.Doc; provider: WebsocketProvider }> {
    const connection = await connectDoc(server, client, docId);
    providers.push(connection.provider);
    return connection;
  }

  /** The HTTP status of the websocket upgrade (101 when it opened). */
  async function statusOfUpgrade(client: TestClient | null, docId: string): Promise<number> {
    const headers: Record<string, string> = { origin: server.url };
    if (client?.cookie) headers.cookie = client.cookie;
    return (await upgradeStatus(`${wsUrl(server.url)}/${docId}`, headers)).status;
  }

  it('refuses the upgrade like the API: 401 anonymous, 404 outsider of a private incident, open for participants and admins', async () => {
    const incident = await privateIncident(cast);
    expect(await statusOfUpgrade(null, incident.docId)).toBe(401);
    expect(await statusOfUpgrade(cast.outsider.client, incident.docId)).toBe(404);
    for (const who of ['observer', 'responder', 'commander', 'admin'] as const) {
      expect(await statusOfUpgrade(cast[who].client, incident.docId), who).toBe(101);
    }
    // A public incident's war room is open to read for anyone signed in.
    const open = await declare(cast.commander);
    expect(await statusOfUpgrade(cast.outsider.client, open.docId)).toBe(101);
  });

  it('shows the declaration and each state change as automatic timeline entries, and bumps meta.rev', async () => {
    const incident = await declare(cast.commander, { severity: 1, title: 'Checkout down' });
    const { doc } = await connect(cast.responder.client, incident.docId);
    await eventually(() =>
      // One transaction, one time: the two entries may list in either order.
      expect(readTimeline(doc).map((e) => [e.kind, e.text]).sort()).toEqual([
        ['action', 'Cora acknowledged the incident'],
        ['decision', 'Cora declared a SEV1: Checkout down'],
      ]),
    );
    const revBefore = meta(doc).get('rev')!;

    const changed = await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'identified' });
    expect(changed.status).toBe(200);
    const events = (await cast.commander.client.get(`/api/incidents/${incident.ref}/events`)).body.events;
    const stateEvent = events.find((e: { kind: string }) => e.kind === 'state');
    await eventually(() => {
      const entry = readTimeline(doc).find((e) => e.eventId === stateEvent.id);
      expect(entry).toMatchObject({
        text: 'State investigating → identified',
        kind: 'decision',
        auto: true,
        author: { id: cast.commander.user.id, name: 'Cora' },
        at: stateEvent.at,
        hypothesisId: null,
      });
    });
    expect(meta(doc).get('rev')).toBeGreaterThan(revBefore);

    // Durable like any change, and attributed to the acting user.
    const rows = await db.sql<{ user_id: string | null }>`select user_id from document_updates where doc_id = ${incident.docId}`;
    expect(rows.map((r) => r.user_id)).toContain(cast.commander.user.id);
  });

  it('puts a hand-off in the timeline but keeps joins out of it', async () => {
    const incident = await declare(cast.commander);
    const { doc } = await connect(cast.commander.client, incident.docId);
    await cast.outsider.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' });
    await cast.commander.client.post(`/api/incidents/${incident.ref}/roles`, { role: 'commander', userId: cast.outsider.user.id });
    await eventually(() => expect(readTimeline(doc).map((e) => e.text)).toContain('Cora handed command to Otto'));
    expect(readTimeline(doc).some((e) => e.text.includes('joined'))).toBe(false);
  });

  it('keeps an observer read-only: their edits reach neither others nor the database', async () => {
    const incident = await privateIncident(cast);
    const commander = await connect(cast.commander.client, incident.docId);
    const observer = await connect(cast.observer.client, incident.docId);
    addTimelineEntry(observer.doc, { at: new Date().toISOString(), kind: 'note', text: 'observer was here', author: null, hypothesisId: null });
    addTimelineEntry(commander.doc, { at: new Date().toISOString(), kind: 'note', text: 'commander was here', author: null, hypothesisId: null });
    // The commander's entry reaching the observer shows the room processed both clients' messages.
    await eventually(() => expect(readTimeline(observer.doc).map((e) => e.text)).toContain('commander was here'));
    await handledBy(observer, commander, server.collab.loadedRoom(incident.docId)!);
    expect(readTimeline(commander.doc).map((e) => e.text)).not.toContain('observer was here');
    const stored = await db.sql<{ n: number }>`select count(*)::int as n from document_updates where doc_id = ${incident.docId} and user_id = ${cast.observer.user.id}`;
    expect(stored[0].n).toBe(0);
  });

  it('re-decides access of open connections: a responder who switches to watching is closed and comes back read-only', async () => {
    const incident = await declare(cast.commander);
    await cast.outsider.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' });
    const commander = await connect(cast.commander.client, incident.docId);
    const watcher = await connect(cast.outsider.client, incident.docId);
    const closes: number[] = [];
    watcher.provider.on('connection-close', (event: { code: number } | null) => event && closes.push(event.code));

    expect((await cast.outsider.client.post(`/api/incidents/${incident.ref}/join`, { as: 'observer' })).status).toBe(200);
    await eventually(() => expect(closes).toContain(4000));
    await eventually(() => expect(watcher.provider.synced).toBe(true));

    addTimelineEntry(watcher.doc, { at: new Date().toISOString(), kind: 'note', text: 'written after switching to watch', author: null, hypothesisId: null });
    addTimelineEntry(commander.doc, { at: new Date().toISOString(), kind: 'note', text: 'commander still writes', author: null, hypothesisId: null });
    await eventually(() => expect(readTimeline(watcher.doc).map((e) => e.text)).toContain('commander still writes'));
    await handledBy(watcher, commander, server.collab.loadedRoom(incident.docId)!);
    expect(readTimeline(commander.doc).map((e) => e.text)).not.toContain('written after switching to watch');
  });

  it('closes the war room for someone removed from a private incident', async () => {
    const incident = await privateIncident(cast);
    const observer = await connect(cast.observer.client, incident.docId);
    const closed = new Promise<{ code: number }>((resolve) => observer.provider.on('closed', resolve));
    await server.collab.reauthorize(incident.docId); // nothing changed: stays open
    expect(observer.provider.wsconnected).toBe(true);
    await db.sql`delete from incident_participants where user_id = ${cast.observer.user.id} and incident_id = ${incident.id}`;
    await server.collab.reauthorize(incident.docId);
    expect((await closed).code).toBe(4404);
  });

  it('closes the war room of an outsider already in it when the incident is made private', async () => {
    const incident = await declare(cast.commander);
    const outsider = await connect(cast.outsider.client, incident.docId);
    const closed = new Promise<{ code: number }>((resolve) => outsider.provider.on('closed', resolve));
    expect((await cast.commander.client.request('PATCH', `/api/incidents/${incident.ref}`, { private: true })).status).toBe(200);
    expect((await closed).code).toBe(4404);
  });

  it('freezes the war room when the incident is closed, for everyone, and thaws it on reopening', async () => {
    const incident = await declare(cast.commander);
    const move = async (state: string) => {
      const response = await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.incident;
    };
    const commander = await connect(cast.commander.client, incident.docId);
    const admin = await connect(cast.admin.client, incident.docId);
    await move('resolved');
    // Closing changes everyone's access, so the server closes both connections and they come back read-only.
    const reconnected = [commander, admin].map(({ provider }) => resyncedAfterClose(provider));
    const closed = await move('closed');
    expect(closed.me.access).toBe('read');
    await Promise.all(reconnected);
    // Both reconnected read-only: nothing either writes now reaches the other or the database.
    await eventually(async () => expect(await (await cast.admin.client.get(`/api/incidents/${incident.ref}`)).body.incident.me.access).toBe('read'));
    addTimelineEntry(admin.doc, { at: new Date().toISOString(), kind: 'note', text: 'edited after close', author: null, hypothesisId: null });
    await handledBy(admin, commander, server.collab.loadedRoom(incident.docId)!);
    expect(readTimeline(commander.doc).map((e) => e.text)).not.toContain('edited after close');

    const reopened = await move('investigating');
    expect(reopened.me.access).toBe('write');
    expect(reopened.closedAt).toBeNull();
    const fresh = await connect(cast.admin.client, incident.docId);
    addTimelineEntry(fresh.doc, { at: new Date().toISOString(), kind: 'note', text: 'edited after reopening', author: null, hypothesisId: null });
    await eventually(() => expect(readTimeline(commander.doc).map((e) => e.text)).toContain('edited after reopening'));
  });
});
