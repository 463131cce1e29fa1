/**
 * The process review over real incidents: boards written over the stock
 * y-websocket client, their history read from the server's change log (with
 * compaction folding it into snapshots as it goes), the same times on /review
 * and on /metrics, and a saved review's delays and findings.
 */
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlDocumentStore } from '../../server/collab/storage.ts';
import { confirmedAt, loadBoardHistory } from '../../server/hypotheses/board-history.ts';
import { addHypothesis, updateHypothesis } from '../../server/shared/war-room-doc.ts';
import { connectProvider, eventually, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('process review (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    // Compacting every few changes proves the history survives being folded into snapshots.
    server = await startTestServer(db, { collab: { compactAfterUpdates: 3 } });
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
  });

  async function storedStateVector(docId: string): Promise<Uint8Array> {
    const doc = new Y.Doc();
    for (const update of (await sqlDocumentStore(db.sql).load(docId)).updates) Y.applyUpdate(doc, update);
    const vector = Y.encodeStateVector(doc);
    doc.destroy();
    return vector;
  }

  /** Declares, lets `work` write the board as Rey, waits until the server has every change, resolves. */
  async function incident(person: Person, title: string, work: (doc: TestProvider['doc'], by: { id: string; name: string }) => void, body: Record<string, unknown> = {}) {
    const created = await declare(person, { title, services: ['orders'], ...body });
    const live = connectProvider(server.url, created.docId, person.client.cookie);
    providers.push(live);
    await live.synced();
    work(live.doc, { id: person.user.id, name: person.user.displayName });
    // The marker: the stored document holds everything the client wrote (equal state vectors).
    await eventually(async () => expect(await storedStateVector(created.docId)).toEqual(Y.encodeStateVector(live.doc)));
    expect((await person.client.post(`/api/incidents/${created.ref}/state`, { state: 'resolved' })).status).toBe(200);
    return created;
  }

  it('reads when the correct hypothesis was written and confirmed, agrees with /metrics, and saves delays and findings', async () => {
    const { commander } = cast;
    let pool = '';
    const first = await incident(commander, 'Orders pool exhausted', (doc, by) => {
      const dns = addHypothesis(doc, { statement: 'DNS', owner: null, by });
      pool = addHypothesis(doc, { statement: 'Pool exhausted', owner: null, by });
      updateHypothesis(doc, dns, by, { status: 'ruled_out' });
      // Confirmed, doubted, confirmed again: the confirmation that stands is the last.
      updateHypothesis(doc, pool, by, { status: 'confirmed' });
      updateHypothesis(doc, pool, by, { status: 'ruled_out' });
      updateHypothesis(doc, pool, by, { status: 'confirmed' });
    });
    const second = await incident(commander, 'Orders config push', (doc, by) => {
      const card = addHypothesis(doc, { statement: 'Bad config push', owner: null, by });
      updateHypothesis(doc, card, by, { status: 'confirmed' });
    });
    const third = await incident(commander, 'Orders mystery', (doc, by) => void addHypothesis(doc, { statement: 'Cosmic rays', owner: null, by }));
    const hidden = await privateIncident(cast, { title: 'Orders private trouble', services: ['orders'] });
    await commander.client.post(`/api/incidents/${hidden.ref}/state`, { state: 'resolved' });
    const drill = await declare(commander, { title: 'Orders game day', services: ['orders'], drill: true });
    await commander.client.post(`/api/incidents/${drill.ref}/state`, { state: 'resolved' });

    // The board's history: every status the card had, each at the server time of its change, compaction or not.
    expect((await db.sql`select 1 from document_snapshots where doc_id = ${first.docId}`).length).toBe(1);
    const card = (await loadBoardHistory(db.sql, first.docId)).find((c) => c.id === pool)!;
    expect(card.statuses.map((s) => s.value)).toEqual(['open', 'confirmed', 'ruled_out', 'confirmed']);
    expect(card.statuses.every((s) => s.userId === commander.user.id)).toBe(true);
    expect(confirmedAt(card)).toEqual(card.statuses[3]);

    // The preview: newest resolution first; no drill; the private incident only for those in it.
    const preview = await cast.outsider.client.get('/api/reviews/preview?count=5&service=orders');
    expect(preview.status).toBe(200);
    const review = preview.body.review;
    expect(review.incidents.map((i: { ref: string }) => i.ref)).toEqual([third.ref, second.ref, first.ref]);
    const [r3, r2, r1] = review.incidents;
    expect(r1.hypothesis).toMatchObject({ statement: 'Pool exhausted', firstWrittenAt: card.createdAt.toISOString(), confirmedAt: card.statuses[3].at.toISOString() });
    expect(r2.hypothesis.statement).toBe('Bad config push');
    expect(r3).toMatchObject({ hypothesis: null, hypothesisToResolvedMs: null });
    expect(review.summary).toMatchObject({ incidents: 3, hypothesisToResolved: { measured: 2, notRecorded: 1 } });
    expect(review.definitions.metric.id).toBe('hypothesis_to_resolve');
    expect((await cast.commander.client.get('/api/reviews/preview?count=5&service=orders')).body.review.incidents.map((i: { ref: string }) => i.ref)).toContain(hidden.ref);

    // /metrics counts the same incidents with the same times.
    const metrics = await cast.outsider.client.get('/api/metrics?period=week&service=orders');
    expect(metrics.body.totals.hypothesis_to_resolve).toMatchObject({ measured: 2, notRecorded: 1 });
    const csv = await fetch(`${server.url}/api/metrics/export.csv?period=week&service=orders`, { headers: { cookie: cast.outsider.client.cookie! } }).then((r) => r.text());
    const [header, ...rows] = csv.trim().split('\r\n');
    const row = rows.find((line) => line.startsWith(`${first.ref},`))!.split(',');
    expect(row[header.split(',').indexOf('hypothesis_written_at')]).toBe(r1.hypothesis.firstWrittenAt);

    // Saved: frozen incidents, notes, the delay per incident, findings on /follow-ups.
    const saved = await cast.commander.client.post('/api/reviews', { title: 'Q2 orders review', count: 5, service: 'orders' });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const reviewId = saved.body.review.id;
    const patch = (body: unknown) => cast.commander.client.request('PATCH', `/api/reviews/${reviewId}`, body);
    const patched = await patch({ notes: 'Escalation to the DB team is the pattern.', delays: { [first.id]: { kind: 'escalation', note: 'DB on-call joined late' }, [second.id]: { kind: 'approval' } } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.review.summary.delays).toEqual([
      { kind: 'escalation', name: 'Escalation', count: 1 },
      { kind: 'approval', name: 'An approval', count: 1 },
    ]);
    expect((await patch({ delays: { [drill.id]: { kind: 'other' } } })).status).toBe(400);
    const finding = await cast.commander.client.post(`/api/reviews/${reviewId}/findings`, { title: 'Page the DB team directly for pool alerts', incidentId: first.id, ownerId: cast.responder.user.id, dueDate: '2030-02-01' });
    expect(finding.status, JSON.stringify(finding.body)).toBe(201);
    expect((await cast.commander.client.post(`/api/reviews/${reviewId}/findings`, { title: 'x', incidentId: drill.id, ownerId: cast.responder.user.id, dueDate: '2030-02-01' })).status).toBe(400);
    const items = (await cast.responder.client.get('/api/action-items?origin=review')).body.items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ title: 'Page the DB team directly for pool alerts', origin: { kind: 'review', id: reviewId }, incident: { number: first.number } });

    // An outsider reads the saved review without the private incident, told that one is left out.
    const outside = await cast.outsider.client.get(`/api/reviews/${reviewId}`);
    expect(outside.body.review.incidents.map((i: { ref: string }) => i.ref)).not.toContain(hidden.ref);
    expect(outside.body.review.hidden).toBe(1);
    expect(outside.body.review.notes).toBe('Escalation to the DB team is the pattern.');
    expect(outside.body.review.findings.map((f: { title: string }) => f.title)).toEqual(['Page the DB team directly for pool alerts']);
    expect((await cast.outsider.client.get('/api/reviews')).body.reviews.map((r: { title: string }) => r.title)).toEqual(['Q2 orders review']);
  });
});
