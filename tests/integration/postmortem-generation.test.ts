import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postmortemDocId, readPostmortem } from '../../server/shared/postmortem-doc.ts';
import { addEvidence, addHypothesis, updateHypothesis } from '../../server/shared/war-room-doc.ts';
import { connectProvider, eventually, handledBy, upgradeStatus, wsUrl } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('postmortem generation at close (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db, { env: { POSTMORTEM_REVIEW_DAYS: '5' } });
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const setState = async (person: Person, ref: string, state: string) => {
    const response = await person.client.post(`/api/incidents/${ref}/state`, { state });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.incident;
  };

  /** What the server holds in the postmortem document right now. */
  const readDoc = async (incidentId: string) => {
    let content: ReturnType<typeof readPostmortem> | undefined;
    await server.collab.changeDocument(postmortemDocId(incidentId), null, (doc) => {
      content = readPostmortem(doc);
    });
    return content!;
  };

  it('drafts the postmortem when the incident closes, from the war room, the updates and the record', async () => {
    const started = new Date(Date.now() - 3 * 3600_000);
    const incident = await declare(cast.commander, {
      title: 'Checkout is failing',
      severity: 2,
      summary: 'Card payments failed for EU customers.',
      services: ['checkout', 'payments'],
      startedAt: started.toISOString(),
      detectedAt: new Date(started.getTime() + 12 * 60_000).toISOString(),
    });
    const cora = { id: cast.commander.user.id, name: 'Cora' };
    let confirmedId = '';
    await server.collab.changeDocument(incident.docId, cora.id, (doc) => {
      confirmedId = addHypothesis(doc, { statement: 'The payments pool is exhausted', owner: cora, by: cora });
      updateHypothesis(doc, confirmedId, cora, { status: 'confirmed', findings: 'Pool at 100/100 from 14:02' });
      addEvidence(doc, confirmedId, { text: 'Pool dashboard', url: 'https://grafana.example.com/d/pool', by: cora });
      const excluded = addHypothesis(doc, { statement: 'A bad deploy of checkout', owner: null, by: cora });
      updateHypothesis(doc, excluded, cora, { status: 'ruled_out', findings: 'No deploy since Monday' });
      addHypothesis(doc, { statement: 'DNS flakiness', owner: null, by: cora });
    });
    const entry = await cast.commander.client.post(`/api/incidents/${incident.ref}/timeline`, { kind: 'action', text: 'Raised the pool size to 200' });
    expect(entry.status).toBe(201);
    const update = await cast.commander.client.post(`/api/incidents/${incident.ref}/updates`, {
      audience: 'leadership',
      body: 'Checkout is failing for EU card payments.\n\nNext update in 30 minutes.',
      idempotencyKey: `key-${Date.now()}-gen`,
    });
    expect(update.status, JSON.stringify(update.body)).toBe(201);

    expect((await cast.commander.client.get(`/api/incidents/${incident.ref}/postmortem`)).body.postmortem).toBeNull();
    const resolved = await setState(cast.commander, incident.ref, 'resolved');
    await setState(cast.commander, incident.ref, 'closed');

    const view = await cast.commander.client.get(`/api/incidents/${incident.ref}/postmortem`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      incident: { id: incident.id, number: incident.number, state: 'closed', services: ['checkout', 'payments'] },
      postmortem: { docId: postmortemDocId(incident.id), state: 'draft', overdue: false, version: 0, versions: [], publishedAt: null, submittedBy: null },
      can: { edit: true, submit: true, sendBack: false, publish: false, revise: false, setDueDate: true },
      actionItems: { total: 0, done: 0, overdue: 0 },
    });
    // Due POSTMORTEM_REVIEW_DAYS (5 here) after resolution.
    expect(new Date(view.body.postmortem.reviewDueAt).getTime()).toBe(new Date(resolved.resolvedAt).getTime() + 5 * 86_400_000);

    const content = await readDoc(incident.id);
    expect(content.incidentId).toBe(incident.id);
    expect(content.sections.summary).toContain('Card payments failed for EU customers.');
    expect(content.sections.summary).toContain('> Checkout is failing for EU card payments.');
    expect(content.sections.impact).toContain('- **Severity:** SEV2');
    expect(content.sections.impact).toContain('- **Affected services:** checkout, payments');
    expect(content.sections.impact).toContain('- **Time to detect:** 12 min');
    expect(content.sections.impact).toMatch(/\*\*Customer impact:\*\* $/);
    expect(content.sections.investigation).toMatch(/### Confirmed[\s\S]*The payments pool is exhausted[\s\S]*Pool at 100\/100[\s\S]*\[Pool dashboard\]\(https:\/\/grafana\.example\.com\/d\/pool\)/);
    expect(content.sections.investigation).toMatch(/### Investigated and excluded\n\n- A bad deploy of checkout — No deploy since Monday/);
    expect(content.sections.investigation).toMatch(/### Left open\n\n- DNS flakiness/);
    expect(content.sections.detection).toContain('Detected at');
    expect(content.sections.resolution).toMatch(/Resolved .+ after the start\.\n\nCause confirmed in the war room: The payments pool is exhausted$/);
    expect(content.sections.response).toMatch(/^- Declared .+ after detection\.\n/);
    expect(content.sections.response).toMatch(/- First action recorded .*: Raised the pool size to 200 \(Cora\)\n- 3 hypotheses on the board: 1 confirmed, 1 ruled out, 1 left open\.$/);
    expect(content.sections.recovery).toMatch(/^- Resolved /);
    expect(content.factors).toEqual([
      expect.objectContaining({ category: 'technical', hypothesisId: confirmedId, description: 'The payments pool is exhausted\n\nPool at 100/100 from 14:02' }),
    ]);
    expect(content.actionItems).toEqual([]);

    // War-room entries, automatic events and the update, once each, in time order, ending with the close.
    const texts = content.timeline.map((e) => `${e.source}: ${e.text}`);
    expect(texts[0]).toMatch(/^event: Cora declared a SEV2: Checkout is failing/);
    expect(texts).toContain('scribe: Raised the pool size to 200');
    expect(texts.filter((t) => t.includes('leadership update'))).toEqual(['update: Published the leadership update: Checkout is failing for EU card payments.']);
    expect(texts.at(-1)).toBe('event: State resolved → closed');
    const times = content.timeline.map((e) => e.at);
    expect(times).toEqual([...times].sort());
    expect(content.timeline.find((e) => e.source === 'scribe')?.author).toEqual({ id: cora.id, name: 'Cora' });

  });

  it('gives a draft written before the Resolution section existed that section, empty, when the postmortem is opened', async () => {
    const incident = await declare(cast.commander);
    await setState(cast.commander, incident.ref, 'resolved');
    await setState(cast.commander, incident.ref, 'closed');
    const docId = postmortemDocId(incident.id);
    await server.collab.changeDocument(docId, null, (doc) => doc.getMap<Y.Text>('sections').delete('resolution'));
    let before = true;
    await server.collab.changeDocument(docId, null, (doc) => (before = doc.getMap('sections').has('resolution')));
    expect(before).toBe(false);

    expect((await cast.observer.client.get(`/api/incidents/${incident.ref}/postmortem`)).status).toBe(200);
    let after: unknown;
    await server.collab.changeDocument(docId, null, (doc) => (after = doc.getMap('sections').get('resolution')));
    expect(after).toBeInstanceOf(Y.Text);
  });

  it('retries generation with POST, idempotently, and refuses it while the incident is open', async () => {
    const incident = await declare(cast.commander);
    const open = await cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem`);
    expect(open.status).toBe(409);
    expect(open.body.error.code).toBe('not_closed');
    await setState(cast.commander, incident.ref, 'resolved');
    await setState(cast.commander, incident.ref, 'closed');
    const first = await cast.commander.client.get(`/api/incidents/${incident.ref}/postmortem`);
    // Simulates a generation that failed at close: the row is gone, the retry brings it back.
    await db.sql`delete from postmortems where incident_id = ${incident.id}`;
    expect((await cast.commander.client.get(`/api/incidents/${incident.ref}/postmortem`)).body.postmortem).toBeNull();
    const retried = await cast.responder.client.post(`/api/incidents/${incident.ref}/postmortem`);
    expect(retried.status).toBe(200);
    expect(retried.body.postmortem).toMatchObject({ state: 'draft', docId: first.body.postmortem.docId, generatedAt: first.body.postmortem.generatedAt });
    const again = await cast.responder.client.post(`/api/incidents/${incident.ref}/postmortem`);
    expect(again.body.postmortem).toEqual(retried.body.postmortem);
    const [{ count }] = await db.sql<{ count: number }>`select count(*)::int as count from postmortems where incident_id = ${incident.id}`;
    expect(count).toBe(1);
  });

  it('keeps the draft across a reopen, and does not regenerate it when closing again', async () => {
    const incident = await declare(cast.commander);
    await setState(cast.commander, incident.ref, 'resolved');
    await setState(cast.commander, incident.ref, 'closed');
    await server.collab.changeDocument(postmortemDocId(incident.id), null, (doc) => {
      doc.getMap<Y.Text>('sections').get('summary')!.insert(0, 'Written by a reviewer. ');
    });
    const before = (await cast.commander.client.get(`/api/incidents/${incident.ref}/postmortem`)).body.postmortem;
    await setState(cast.commander, incident.ref, 'investigating');
    await setState(cast.commander, incident.ref, 'resolved');
    await setState(cast.commander, incident.ref, 'closed');
    const after = (await cast.commander.client.get(`/api/incidents/${incident.ref}/postmortem`)).body.postmortem;
    expect(after.generatedAt).toBe(before.generatedAt);
    expect((await readDoc(incident.id)).sections.summary).toMatch(/^Written by a reviewer\. /);
  });

  it('opens the document to writers, read-only to observers and outsiders of a public incident, and hides a private one', async () => {
    const incident = await privateIncident(cast);
    await setState(cast.commander, incident.ref, 'resolved');
    await setState(cast.commander, incident.ref, 'closed');
    const docId = postmortemDocId(incident.id);
    const url = `${wsUrl(server.url)}/${docId}`;
    const upgrade = (person: Person) => upgradeStatus(url, { origin: server.url, cookie: person.client.cookie ?? '' });
    expect((await upgrade(cast.outsider)).status).toBe(404);
    expect((await cast.outsider.client.get(`/api/incidents/${incident.ref}/postmortem`)).status).toBe(404);
    for (const person of [cast.commander, cast.responder, cast.observer, cast.admin]) expect((await upgrade(person)).status).toBe(101);

    const responder = connectProvider(server.url, docId, cast.responder.client.cookie);
    const observer = connectProvider(server.url, docId, cast.observer.client.cookie);
    try {
      await responder.synced();
      await observer.synced();
      expect(readPostmortem(observer.doc).incidentId).toBe(incident.id);
      responder.doc.getMap<Y.Text>('sections').get('lucky')!.insert(0, 'The spare pool was warm.');
      await eventually(async () => expect((await readDoc(incident.id)).sections.lucky).toBe('The spare pool was warm.'));
      await eventually(() => expect(readPostmortem(observer.doc).sections.lucky).toBe('The spare pool was warm.'));
      // The observer's edit is refused by the server: it never reaches the stored document.
      observer.doc.getMap<Y.Text>('sections').get('went_well')!.insert(0, 'Observer was here');
      await handledBy(observer, responder, server.collab.loadedRoom(docId)!);
      expect((await readDoc(incident.id)).sections.went_well).toBe('');
    } finally {
      responder.destroy();
      observer.destroy();
    }
    const view = await cast.observer.client.get(`/api/incidents/${incident.ref}/postmortem`);
    expect(view.body.can).toEqual({ edit: false, submit: false, sendBack: false, publish: false, revise: false, setDueDate: false });

    // A public incident's postmortem is readable by anyone signed in; their changes never land.
    const open = await declare(cast.commander);
    await setState(cast.commander, open.ref, 'resolved');
    await setState(cast.commander, open.ref, 'closed');
    const reader = connectProvider(server.url, postmortemDocId(open.id), cast.outsider.client.cookie);
    const commander = connectProvider(server.url, postmortemDocId(open.id), cast.commander.client.cookie);
    try {
      await reader.synced();
      await commander.synced();
      expect(readPostmortem(reader.doc).incidentId).toBe(open.id);
      reader.doc.getMap<Y.Text>('sections').get('lucky')!.insert(0, 'Outsider edit');
      await handledBy(reader, commander, server.collab.loadedRoom(postmortemDocId(open.id))!);
      expect((await readDoc(open.id)).sections.lucky).toBe('');
      expect(readPostmortem(commander.doc).sections.lucky).toBe('');
    } finally {
      reader.destroy();
      commander.destroy();
    }
    expect((await cast.outsider.client.get(`/api/incidents/${open.ref}/postmortem`)).body.can.edit).toBe(false);
  });
});
