import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../server/shared/close-codes.ts';
import { addActionItem, postmortemDocId, updateActionItem, type ActionItemDraft } from '../../server/shared/postmortem-doc.ts';
import { connectProvider, eventually, handledBy } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { incidentCast, privateIncident, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('postmortem review and publication (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const ok = async (request: Promise<{ status: number; body: any }>) => {
    const response = await request;
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };
  const setState = (person: Person, ref: string, state: string) => ok(person.client.post(`/api/incidents/${ref}/state`, { state }));

  /** A private incident (Cora commands, Rey responds, Obi observes), resolved and closed: its draft exists. */
  async function closedIncident() {
    const incident = await privateIncident(cast);
    await setState(cast.commander, incident.ref, 'resolved');
    await setState(cast.commander, incident.ref, 'closed');
    return incident;
  }

  const changePostmortem = (incidentId: string, change: (doc: Y.Doc) => void) => server.collab.changeDocument(postmortemDocId(incidentId), null, change);

  const owner = () => ({ id: cast.responder.user.id, name: 'Rey' });
  const inTenDays = () => new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);

  /** Fills what publication needs: a summary and one complete action item. */
  async function makeReady(incidentId: string, item: Partial<ActionItemDraft> = {}): Promise<string> {
    let id = '';
    await changePostmortem(incidentId, (doc) => {
      const summary = doc.getMap<Y.Text>('sections').get('summary')!;
      if (!summary.toString().trim()) summary.insert(0, 'Checkout failed for 40 minutes.');
      id = addActionItem(doc, { title: 'Alert on pool saturation', owner: owner(), dueDate: inTenDays(), kind: 'immediate', priority: 'p1', ...item });
    });
    return id;
  }

  const itemRows = (incidentId: string) =>
    db.sql<{ source_key: string; title: string; status: string; owner_id: string | null; due_date: string | null }>`
      select source_key, title, status, owner_id, to_char(due_date, 'YYYY-MM-DD') as due_date from action_items where incident_id = ${incidentId} order by created_at, source_key`;

  const stagedTexts = async () => (await db.sql<{ n: number }>`select count(*)::int as n from postmortem_version_rows where version < 0`)[0].n;

  it('moves draft → in review → published, refusing an unready document with its problems', async () => {
    const incident = await closedIncident();
    const base = `/api/incidents/${incident.ref}/postmortem`;
    const early = await cast.commander.client.post(`${base}/publish`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/a draft/);

    const submitted = await ok(cast.responder.client.post(`${base}/submit`));
    expect(submitted.postmortem).toMatchObject({ state: 'in_review', submittedBy: { id: cast.responder.user.id, displayName: 'Rey' } });
    expect(submitted.can).toMatchObject({ submit: false, sendBack: true, publish: false, edit: true });

    await changePostmortem(incident.id, (doc) => {
      addActionItem(doc, { title: 'Raise the pool limit', owner: null, dueDate: null });
    });
    const refused = await cast.commander.client.post(`${base}/publish`);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toEqual({
      code: 'not_ready',
      message: 'The postmortem is not ready to publish.',
      problems: ['The summary is empty.', '"Raise the pool limit" has no owner.', '"Raise the pool limit" has no due date.'],
    });
    // A refused publication leaves no texts behind.
    expect(await stagedTexts()).toBe(0);
    expect((await itemRows(incident.id)).length).toBe(0);

    await ok(cast.responder.client.post(`${base}/send-back`));
    await ok(cast.responder.client.post(`${base}/submit`));
    await changePostmortem(incident.id, (doc) => {
      for (const [id, item] of doc.getMap<Y.Map<unknown>>('actionItems')) if (item.get('title') === 'Raise the pool limit') doc.getMap('actionItems').delete(id);
    });
    await makeReady(incident.id);
    const published = await ok(cast.commander.client.post(`${base}/publish`));
    expect(await stagedTexts()).toBe(0);
    expect(published.postmortem).toMatchObject({
      state: 'published',
      version: 1,
      publishedBy: { id: cast.commander.user.id, displayName: 'Cora' },
      versions: [{ version: 1, publishedBy: { id: cast.commander.user.id, displayName: 'Cora' } }],
    });
    expect(published.can).toEqual({ edit: false, submit: false, sendBack: false, publish: false, revise: true, setDueDate: false });
    expect(published.actionItems).toEqual({ total: 1, done: 0, overdue: 0 });
    const events = (await cast.commander.client.get(`/api/incidents/${incident.ref}/events`)).body.events.filter((e: any) => e.kind === 'postmortem');
    expect(events.map((e: any) => e.message)).toEqual([
      'Rey submitted the postmortem for review',
      'Rey sent the postmortem back to draft',
      'Rey submitted the postmortem for review',
      'Cora published the postmortem',
    ]);
  });

  it('creates the action items once: a retried publish is refused and a revision updates rows without resetting their status', async () => {
    const incident = await closedIncident();
    const base = `/api/incidents/${incident.ref}/postmortem`;
    const first = await makeReady(incident.id);
    await ok(cast.responder.client.post(`${base}/submit`));
    await ok(cast.commander.client.post(`${base}/publish`));
    const retry = await cast.commander.client.post(`${base}/publish`);
    expect(retry.status).toBe(409);
    expect(await itemRows(incident.id)).toEqual([{ source_key: first, title: 'Alert on pool saturation', status: 'open', owner_id: cast.responder.user.id, due_date: inTenDays() }]);

    // The owner starts on it; then the commander revises the postmortem.
    const [row] = await db.sql<{ id: string }>`select id from action_items where incident_id = ${incident.id}`;
    await ok(cast.responder.client.request('PATCH', `/api/action-items/${row.id}`, { status: 'in_progress' }));
    expect((await cast.responder.client.post(`${base}/revise`)).status).toBe(403);
    const revised = await ok(cast.commander.client.post(`${base}/revise`));
    expect(revised.postmortem).toMatchObject({ state: 'draft', version: 1 });
    await changePostmortem(incident.id, (doc) => {
      updateActionItem(doc, first, { title: 'Alert on pool saturation above 80%' });
    });
    const second = await makeReady(incident.id, { title: 'Load-test the pool', kind: 'structural', priority: 'p2', problemCategory: 'capacity' });
    await ok(cast.responder.client.post(`${base}/submit`));
    const v2 = await ok(cast.admin.client.post(`${base}/publish`));
    expect(v2.postmortem).toMatchObject({ state: 'published', version: 2, publishedBy: { displayName: 'Admin' } });
    expect(v2.postmortem.versions.map((v: any) => v.version)).toEqual([1, 2]);
    expect(await itemRows(incident.id)).toEqual([
      { source_key: first, title: 'Alert on pool saturation above 80%', status: 'in_progress', owner_id: cast.responder.user.id, due_date: inTenDays() },
      { source_key: second, title: 'Load-test the pool', status: 'open', owner_id: cast.responder.user.id, due_date: inTenDays() },
    ]);

    // Each version stays as it was published.
    const one = await ok(cast.observer.client.get(`${base}/versions/1`));
    const two = await ok(cast.observer.client.get(`${base}/versions/2`));
    expect(one.snapshot.actionItems.map((i: any) => i.title)).toEqual(['Alert on pool saturation']);
    expect(two.snapshot.actionItems.map((i: any) => i.title)).toEqual(['Alert on pool saturation above 80%', 'Load-test the pool']);
    expect(one.markdown).toContain('| Alert on pool saturation | Rey |');
    expect(two.html).toContain('<h2>Action items</h2>');
    expect((await cast.observer.client.get(`${base}/versions/3`)).status).toBe(404);
    expect((await cast.outsider.client.get(`${base}/versions/1`)).status).toBe(404);
  });

  it('exports the published Markdown byte for byte, any version, and the draft while unpublished', async () => {
    const incident = await closedIncident();
    const base = `/api/incidents/${incident.ref}/postmortem`;
    const download = async (person: Person, query = '') => {
      const response = await fetch(`${server.url}${base}/export.md${query}`, { headers: { cookie: person.client.cookie ?? '' } });
      return { status: response.status, type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), text: await response.text() };
    };
    const draft = await download(cast.observer);
    expect(draft.status).toBe(200);
    expect(draft.text).toMatch(new RegExp(`^# INC-${incident.number}: Checkout is failing — postmortem\\n\\n_SEV2 · Draft, not published_\\n`));

    await makeReady(incident.id);
    await ok(cast.responder.client.post(`${base}/submit`));
    await ok(cast.commander.client.post(`${base}/publish`));
    const v1 = await ok(cast.observer.client.get(`${base}/versions/1`));
    const latest = await download(cast.observer);
    expect(latest).toEqual({
      status: 200,
      type: 'text/markdown; charset=utf-8',
      disposition: `attachment; filename="INC-${incident.number}-postmortem.md"`,
      text: v1.markdown,
    });
    expect(latest.text).toContain('## Action items');
    expect(latest.text).toMatch(/Version 1, published .* by Cora/);

    await ok(cast.commander.client.post(`${base}/revise`));
    await changePostmortem(incident.id, (doc) => doc.getMap<Y.Text>('sections').get('lucky')!.insert(0, 'It happened at noon.'));
    await ok(cast.responder.client.post(`${base}/submit`));
    await ok(cast.commander.client.post(`${base}/publish`));
    const v2 = await ok(cast.observer.client.get(`${base}/versions/2`));
    expect((await download(cast.observer)).text).toBe(v2.markdown);
    expect((await download(cast.observer, '?version=1')).text).toBe(v1.markdown);
    expect(v2.markdown).toContain('It happened at noon.');
    expect(v1.markdown).not.toContain('It happened at noon.');
    expect((await download(cast.observer, '?version=9')).status).toBe(404);
    expect((await download(cast.observer, '?version=zero')).status).toBe(400);
    expect((await download(cast.outsider)).status).toBe(404);
  });

  it('makes the document read-only at publication, for the writers already connected too', async () => {
    const incident = await closedIncident();
    const base = `/api/incidents/${incident.ref}/postmortem`;
    const download = () => fetch(`${server.url}${base}/export.md`, { headers: { cookie: cast.observer.client.cookie ?? '' } }).then(async (r) => ({ text: await r.text() }));
    await makeReady(incident.id);
    await ok(cast.responder.client.post(`${base}/submit`));
    const writer = connectProvider(server.url, postmortemDocId(incident.id), cast.responder.client.cookie);
    try {
      await writer.synced();
      await ok(cast.commander.client.post(`${base}/publish`));
      await eventually(() => expect(writer.closes).toContain(CloseCode.ACCESS_CHANGED));
      await writer.synced();
      // The server drops a read-only connection's changes (and closes it if it insists).
      writer.doc.getMap<Y.Text>('sections').get('summary')!.insert(0, 'Too late: ');
      const watcher = connectProvider(server.url, postmortemDocId(incident.id), cast.commander.client.cookie);
      try {
        await watcher.synced();
        await handledBy(writer, watcher, server.collab.loadedRoom(postmortemDocId(incident.id))!);
      } finally {
        watcher.destroy();
      }
      let summary = '';
      await changePostmortem(incident.id, (doc) => {
        summary = doc.getMap<Y.Text>('sections').get('summary')!.toString();
      });
      expect(summary).toBe('Checkout failed for 40 minutes.');
      expect((await download()).text).not.toContain('Too late');
    } finally {
      writer.destroy();
    }
  });

  it('publishes once when two people click at the same moment', async () => {
    const incident = await closedIncident();
    const base = `/api/incidents/${incident.ref}/postmortem`;
    await makeReady(incident.id);
    await ok(cast.responder.client.post(`${base}/submit`));
    const statuses = await Promise.all([cast.commander.client.post(`${base}/publish`), cast.admin.client.post(`${base}/publish`)]).then((r) => r.map((x) => x.status));
    expect(statuses.sort()).toEqual([200, 409]);
    expect(await itemRows(incident.id)).toHaveLength(1);
    const [{ count }] = await db.sql<{ count: number }>`select count(*)::int as count from postmortem_versions where incident_id = ${incident.id}`;
    expect(count).toBe(1);
  });

  it('re-decides open editors’ access when the commander makes a responder an observer', async () => {
    const incident = await closedIncident();
    const writer = connectProvider(server.url, postmortemDocId(incident.id), cast.responder.client.cookie);
    try {
      await writer.synced();
      await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/participants`, { userId: cast.responder.user.id, kind: 'observer' }));
      await eventually(() => expect(writer.closes).toContain(CloseCode.ACCESS_CHANGED));
      expect((await ok(cast.responder.client.get(`/api/incidents/${incident.ref}/postmortem`))).can.edit).toBe(false);
    } finally {
      writer.destroy();
    }
  });

  it('refuses to reopen an incident once its postmortem is published, and allows it before', async () => {
    const incident = await closedIncident();
    await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'investigating' }));
    await setState(cast.commander, incident.ref, 'resolved');
    await setState(cast.commander, incident.ref, 'closed');
    const base = `/api/incidents/${incident.ref}/postmortem`;
    await makeReady(incident.id);
    await ok(cast.responder.client.post(`${base}/submit`));
    await ok(cast.commander.client.post(`${base}/publish`));
    const reopen = await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'investigating' });
    expect(reopen.status).toBe(409);
    expect(reopen.body.error).toMatchObject({ code: 'postmortem_published' });
    expect(reopen.body.error.message).toMatch(/published.*revision.*new incident/);
  });

  it('refuses to publish while the incident is reopened', async () => {
    const incident = await closedIncident();
    const base = `/api/incidents/${incident.ref}/postmortem`;
    await makeReady(incident.id);
    await ok(cast.responder.client.post(`${base}/submit`));
    await setState(cast.commander, incident.ref, 'investigating');
    const view = await ok(cast.commander.client.get(base));
    expect(view.can.publish).toBe(false);
    const refused = await cast.commander.client.post(`${base}/publish`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('incident_open');
  });

  it('lets the commander move the review due date, validates it, and lists overdue reviews to those who may see them', async () => {
    const incident = await closedIncident();
    const base = `/api/incidents/${incident.ref}/postmortem`;
    const past = new Date(Date.now() - 86_400_000).toISOString();
    expect((await cast.responder.client.request('PATCH', base, { reviewDueAt: past })).status).toBe(403);
    const invalid = await cast.commander.client.request('PATCH', base, { reviewDueAt: 'tomorrow' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.field).toBe('reviewDueAt');
    const moved = await ok(cast.commander.client.request('PATCH', base, { reviewDueAt: past }));
    expect(moved.postmortem).toMatchObject({ reviewDueAt: past, overdue: true });
    const listed = (person: Person) => ok(person.client.get('/api/postmortems/overdue')).then((b) => b.items.filter((i: any) => i.incident.id === incident.id));
    expect(await listed(cast.observer)).toEqual([{ incident: { id: incident.id, number: incident.number, title: 'Checkout is failing', severity: 2 }, state: 'draft', reviewDueAt: past }]);
    expect(await listed(cast.admin)).toHaveLength(1);
    expect(await listed(cast.outsider)).toEqual([]);
    const events = (await cast.commander.client.get(`/api/incidents/${incident.ref}/events`)).body.events;
    expect(events.at(-1).message).toBe(`Cora moved the postmortem review due date to ${past.slice(0, 10)}`);
  });

  // Who may do what, on a private incident: [anonymous, outsider, observer, responder, commander, admin].
  const people = (c: Cast): Person[] => [{ client: c.anonymous, user: { id: '', displayName: '' } }, c.outsider, c.observer, c.responder, c.commander, c.admin];
  const matrix: { name: string; setup: 'resolved' | 'closed' | 'in_review'; request: (p: Person, ref: string) => Promise<{ status: number }>; expect: number[] }[] = [
    { name: 'close', setup: 'resolved', request: (p, ref) => p.client.post(`/api/incidents/${ref}/state`, { state: 'closed' }), expect: [401, 404, 403, 403, 200, 200] },
    { name: 'reopen', setup: 'closed', request: (p, ref) => p.client.post(`/api/incidents/${ref}/state`, { state: 'investigating' }), expect: [401, 404, 403, 403, 200, 200] },
    { name: 'submit', setup: 'closed', request: (p, ref) => p.client.post(`/api/incidents/${ref}/postmortem/submit`), expect: [401, 404, 403, 200, 200, 200] },
    { name: 'send back', setup: 'in_review', request: (p, ref) => p.client.post(`/api/incidents/${ref}/postmortem/send-back`), expect: [401, 404, 403, 200, 200, 200] },
    { name: 'publish', setup: 'in_review', request: (p, ref) => p.client.post(`/api/incidents/${ref}/postmortem/publish`), expect: [401, 404, 403, 403, 200, 200] },
    { name: 'read', setup: 'closed', request: (p, ref) => p.client.get(`/api/incidents/${ref}/postmortem`), expect: [401, 404, 200, 200, 200, 200] },
  ];
  for (const row of matrix) {
    it(`permission matrix: ${row.name}`, async () => {
      const got: number[] = [];
      for (const person of people(cast)) {
        const incident = await privateIncident(cast);
        await setState(cast.commander, incident.ref, 'resolved');
        if (row.setup !== 'resolved') await setState(cast.commander, incident.ref, 'closed');
        if (row.setup === 'in_review') {
          await makeReady(incident.id);
          await ok(cast.responder.client.post(`/api/incidents/${incident.ref}/postmortem/submit`));
        }
        got.push((await row.request(person, incident.ref)).status);
      }
      expect(got).toEqual(row.expect);
    });
  }

  it('permission matrix: editing the live document', async () => {
    const incident = await closedIncident();
    const views = await Promise.all(people(cast).slice(2).map((p) => ok(p.client.get(`/api/incidents/${incident.ref}/postmortem`))));
    expect(views.map((v) => v.can.edit)).toEqual([false, true, true, true]);
  });
});
