import type { WebsocketProvider } from 'y-websocket';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES } from '../../server/comms/templates.ts';
import { AUDIENCES } from '../../server/shared/audiences.ts';
import { applyTextEdit, draftText, readDraft, readTimeline } from '../../server/shared/war-room-doc.ts';
import { appointCommunicator, commsCast, connectDoc, eventually, newKey, type Communicator } from '../helpers/comms.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('publishing stakeholder updates (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let cami: Communicator;
  const providers: WebsocketProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    cami = await commsCast(server, cast);
  });
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.destroy();
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  async function connect(who: { client: Cast['commander']['client'] }, docId: string) {
    const connection = await connectDoc(server, who.client, docId);
    providers.push(connection.provider);
    return connection;
  }

  async function incidentWithCommunicator(body: Record<string, unknown> = {}) {
    const incident = await declare(cast.commander, { severity: 1, title: 'Checkout *down*', summary: 'EU card payments fail.', ...body });
    await appointCommunicator(cast.commander.client, incident.ref, cami.user.id);
    return incident;
  }

  it('fills the placeholders at publish time, renders sanitised HTML and keeps the state of that moment', async () => {
    const incident = await incidentWithCommunicator();
    const body = '**{{ref}} {{severity}}**: {{title}} is {{state}}.\n\n{{impact}} <script>alert(1)</script> {{unknown}}';
    const published = await cami.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'leadership', body, idempotencyKey: newKey() });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    const { update } = published.body;
    expect(update).toMatchObject({
      incidentRef: incident.ref,
      audience: 'leadership',
      bodyMarkdown: `**${incident.ref} SEV1**: Checkout \\*down\\* is investigating.\n\nEU card payments fail. <script>alert(1)</script> {{unknown}}`,
      bodyHtml: `<p><strong>${incident.ref} SEV1</strong>: Checkout *down* is investigating.</p>\n<p>EU card payments fail. &lt;script&gt;alert(1)&lt;/script&gt; {{unknown}}</p>\n`,
      author: { id: cami.user.id, displayName: 'Cami' },
      incidentState: 'investigating',
      severity: 1,
    });

    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'monitoring' })).status).toBe(200);
    const later = await cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'public', body: 'Now {{state}}', idempotencyKey: newKey() });
    expect(later.status).toBe(201);
    expect(later.body.update).toMatchObject({ incidentState: 'monitoring', bodyMarkdown: 'Now monitoring', author: { displayName: 'Cora' } });

    // History: newest first, filterable by audience, and the first update is unchanged by the state change.
    const all = await cast.observer.client.get(`/api/incidents/${incident.ref}/updates`);
    expect(all.status).toBe(200);
    expect(all.body.updates.map((u: { audience: string }) => u.audience)).toEqual(['public', 'leadership']);
    expect(all.body.updates[1]).toEqual(update);
    const leadership = await cast.observer.client.get(`/api/incidents/${incident.ref}/updates?audience=leadership`);
    expect(leadership.body.updates.map((u: { id: string }) => u.id)).toEqual([update.id]);
    expect((await cast.observer.client.get(`/api/incidents/${incident.ref}/updates?audience=board`)).status).toBe(400);
  });

  it('returns the same update for the same key, and refuses the key for another audience', async () => {
    const incident = await incidentWithCommunicator();
    const idempotencyKey = newKey();
    const first = await cami.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'support', body: 'First', idempotencyKey });
    expect(first.status).toBe(201);
    const again = await cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'support', body: 'First, edited', idempotencyKey });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ update: first.body.update, created: false });
    const other = await cami.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'public', body: 'First', idempotencyKey });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');

    // Keys are per incident: the same key elsewhere is a new update, never this incident's.
    const elsewhere = await incidentWithCommunicator();
    const fresh = await cami.client.post(`/api/incidents/${elsewhere.ref}/updates`, { audience: 'support', body: 'Other', idempotencyKey });
    expect(fresh.status).toBe(201);
    expect(fresh.body.update.id).not.toBe(first.body.update.id);
  });

  it('stores exactly one update when ten requests race with one key', async () => {
    const incident = await incidentWithCommunicator();
    const idempotencyKey = newKey();
    const clients = [cami.client, cast.commander.client, cast.admin.client];
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        clients[i % clients.length].post(`/api/incidents/${incident.ref}/updates`, { audience: 'leadership', body: 'Double click', idempotencyKey }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(responses.map((r) => r.body.update.id)).size).toBe(1);
    const rows = await db.sql<{ count: number }>`select count(*)::int as count from published_updates where incident_id = ${incident.id}`;
    expect(rows[0].count).toBe(1);

    // And one timeline entry, however many requests answered.
    const { doc } = await connect(cast.commander, incident.docId);
    await eventually(() => expect(readTimeline(doc).filter((e) => e.kind === 'communication')).toHaveLength(1));
  });

  it('waits for an uncommitted update with the same key and answers with it once committed', async () => {
    const incident = await incidentWithCommunicator();
    const idempotencyKey = newKey();
    let insertedRow!: (xid: string) => void;
    let release!: () => void;
    const rowInserted = new Promise<string>((resolve) => (insertedRow = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    // Another publisher's transaction, caught between its insert and its commit.
    const other = db.sql.begin(async (tx) => {
      await tx`
        insert into published_updates (id, incident_id, audience, body_markdown, body_html, author_id, author_name,
                                       incident_state, incident_title, severity, idempotency_key)
        values ('racewinner', ${incident.id}, 'leadership', 'First', '<p>First</p>', ${cami.user.id}, 'Cami',
                'investigating', 'Checkout', 1, ${idempotencyKey})`;
      const [own] = await tx<{ xid: string }>`select transactionid::text as xid from pg_locks where pid = pg_backend_pid() and locktype = 'transactionid'`;
      insertedRow(own.xid);
      await held;
    });
    const xid = await rowInserted;
    const arrived = new Promise((resolve) => server.server.once('request', resolve));
    const request = cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'leadership', body: 'Second', idempotencyKey });
    let settled = false;
    void request.finally(() => (settled = true));
    if (backend === 'postgres') {
      // Its insert waits for the other transaction: the race, not a late request finding the row committed.
      await eventually(async () => {
        const waiting = await db.sql`select 1 from pg_locks where locktype = 'transactionid' and transactionid::text = ${xid} and not granted`;
        expect(waiting).toHaveLength(1);
      });
    } else {
      // PGlite has one connection and the other transaction holds it: once in, the request waits for it.
      await arrived;
    }
    expect(settled).toBe(false);
    release();
    await other;
    const response = await request;
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.update).toMatchObject({ id: 'racewinner', bodyMarkdown: 'First' });
  });

  it('adds a communication entry to the live timeline of everyone in the war room', async () => {
    const incident = await incidentWithCommunicator();
    const { doc } = await connect(cast.responder, incident.docId);
    const published = await cami.client.post(`/api/incidents/${incident.ref}/updates`, {
      audience: 'leadership',
      body: '### {{title}} is being fixed\n\nMore detail.',
      idempotencyKey: newKey(),
    });
    expect(published.status).toBe(201);
    await eventually(() => {
      const entry = readTimeline(doc).find((e) => e.kind === 'communication');
      expect(entry).toMatchObject({
        text: 'Leadership update published by Cami: Checkout *down* is being fixed',
        auto: true,
        at: published.body.update.publishedAt,
        author: { id: cami.user.id, name: 'Cami' },
      });
    });
  });

  it('seeds one draft per audience from the templates at declaration, and co-edits merge', async () => {
    const incident = await incidentWithCommunicator();
    const a = await connect(cami, incident.docId);
    const b = await connect(cast.commander, incident.docId);
    await eventually(() => {
      for (const audience of AUDIENCES) expect(readDraft(a.doc, audience)).toBe(DEFAULT_TEMPLATES[audience]);
    });

    // Asking again (the pane does when a draft is missing) changes nothing.
    expect((await cami.client.post(`/api/incidents/${incident.ref}/drafts`)).status).toBe(204);
    expect(readDraft(a.doc, 'leadership')).toBe(DEFAULT_TEMPLATES.leadership);

    const start = 'Hello world';
    applyTextEdit(draftText(a.doc, 'support')!, readDraft(a.doc, 'support')!, start);
    await eventually(() => expect(readDraft(b.doc, 'support')).toBe(start));
    // Two people type at once, at different places: both edits land.
    applyTextEdit(draftText(a.doc, 'support')!, start, 'Hello brave world');
    applyTextEdit(draftText(b.doc, 'support')!, start, 'Hello world!');
    await eventually(() => {
      expect(readDraft(a.doc, 'support')).toBe('Hello brave world!');
      expect(readDraft(b.doc, 'support')).toBe('Hello brave world!');
    });

    // Publishing leaves the draft for the next update.
    const published = await cami.client.post(`/api/incidents/${incident.ref}/updates`, { audience: 'support', body: readDraft(a.doc, 'support'), idempotencyKey: newKey() });
    expect(published.status).toBe(201);
    await eventually(() => expect(readTimeline(a.doc).some((e) => e.kind === 'communication')).toBe(true));
    expect(readDraft(a.doc, 'support')).toBe('Hello brave world!');
  });

  it('queues webhook deliveries in the publishing transaction', async () => {
    await db.sql`
      insert into webhook_endpoints (id, name, url, audiences, format, secret)
      values (${`ep${Date.now()}`}, 'Leadership Slack', 'http://127.0.0.1:9/hook', ${['leadership']}::text[], 'json', 'secret')`;
    const incident = await incidentWithCommunicator();
    const publish = (audience: string) => cami.client.post(`/api/incidents/${incident.ref}/updates`, { audience, body: 'x', idempotencyKey: newKey() });
    const leadership = (await publish('leadership')).body.update;
    const support = (await publish('support')).body.update;
    const rows = await db.sql<{ update_id: string }>`select update_id from webhook_deliveries where update_id in (${leadership.id}, ${support.id})`;
    expect(rows.map((r) => r.update_id)).toEqual([leadership.id]);
  });
});
