import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addActionItem, postmortemDocId, type ActionItemDraft } from '../../server/shared/postmortem-doc.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('action items API (%s)', (backend) => {
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
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  /** Closes the incident and publishes its postmortem with these items; returns the rows' ids by title. */
  async function publishWith(incident: { id: string; ref: string }, items: (Partial<ActionItemDraft> & { title: string })[]) {
    for (const state of ['resolved', 'closed']) await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state }));
    await server.collab.changeDocument(postmortemDocId(incident.id), null, (doc) => {
      doc.getMap<Y.Text>('sections').get('summary')!.insert(0, 'What happened.');
      for (const item of items) addActionItem(doc, { owner: { id: cast.responder.user.id, name: 'Rey' }, dueDate: day(10), ...item });
    });
    await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/submit`));
    await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/postmortem/publish`));
    const rows = await db.sql<{ id: string; title: string }>`select id, title from action_items where incident_id = ${incident.id}`;
    return Object.fromEntries(rows.map((r) => [r.title, r.id]));
  }

  const titles = (body: { items: { title: string }[] }) => body.items.map((i) => i.title).sort();
  const list = (person: Person, query = '') => ok(person.client.get(`/api/action-items${query}`));

  it('lists items with their incident, filtered, and only for incidents the viewer may see', async () => {
    const open = await declare(cast.commander, { title: 'Search is slow', services: ['search'] });
    const hidden = await privateIncident(cast, { title: 'Payroll leak', services: ['payroll'] });
    const ids = await publishWith(open, [
      { title: 'Add a search latency alert', kind: 'immediate', priority: 'p1', dueDate: day(-2) },
      { title: 'Shard the search index', kind: 'structural', priority: 'p2', problemCategory: 'capacity', owner: { id: cast.commander.user.id, name: 'Cora' } },
    ]);
    await publishWith(hidden, [{ title: 'Rotate payroll keys' }]);

    const all = await list(cast.observer, `?incident=${open.ref}`);
    expect(all.items).toHaveLength(2);
    const alert = all.items.find((i: any) => i.title === 'Add a search latency alert');
    expect(alert).toMatchObject({
      id: ids['Add a search latency alert'],
      incident: { id: open.id, number: open.number, title: 'Search is slow', severity: 2, services: ['search'] },
      owner: { id: cast.responder.user.id, displayName: 'Rey' },
      dueDate: day(-2),
      kind: 'immediate',
      priority: 'p1',
      status: 'open',
      overdue: true,
      doneAt: null,
      doneBy: null,
      doneNote: '',
    });
    expect(alert.publishedAt).toEqual(expect.any(String));

    expect(titles(await list(cast.outsider, '?service=payroll'))).toEqual([]);
    expect(titles(await list(cast.observer, '?service=payroll'))).toEqual(['Rotate payroll keys']);
    expect(titles(await list(cast.admin, '?service=payroll'))).toEqual(['Rotate payroll keys']);
    expect(titles(await list(cast.commander, `?mine=1&incident=${open.ref}`))).toEqual(['Shard the search index']);
    expect(titles(await list(cast.admin, `?owner=${cast.responder.user.id}&incident=${open.ref}`))).toEqual(['Add a search latency alert']);
    expect(titles(await list(cast.admin, `?kind=structural&incident=${open.ref}`))).toEqual(['Shard the search index']);
    expect(titles(await list(cast.admin, `?overdue=1&incident=${open.ref}`))).toEqual(['Add a search latency alert']);
    expect(titles(await list(cast.admin, `?check30=1&incident=${open.ref}`))).toEqual([]);
    // A month later the structural item is still open: it shows up for the 30-day check.
    await db.sql`update action_items set created_at = now() - interval '31 days' where id = ${ids['Shard the search index']}`;
    expect(titles(await list(cast.admin, `?check30=1&incident=${open.ref}`))).toEqual(['Shard the search index']);

    const bad = await cast.admin.client.get('/api/action-items?kind=someday');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_input', field: 'kind' });
    expect((await cast.admin.client.get('/api/action-items?status=finished')).status).toBe(400);
    expect((await server.client().get('/api/action-items')).status).toBe(401);
  });

  it('lets the owner, the commander or an admin update an item, and records who finished it', async () => {
    const incident = await privateIncident(cast, { title: 'Queue backlog' });
    const ids = await publishWith(incident, [{ title: 'Autoscale the workers' }]);
    const id = ids['Autoscale the workers'];
    const patch = (person: Person, body: unknown) => person.client.request('PATCH', `/api/action-items/${id}`, body);

    expect((await patch(cast.outsider, { status: 'done' })).status).toBe(404);
    expect((await patch(cast.observer, { status: 'done' })).status).toBe(403);
    expect((await server.client().request('PATCH', `/api/action-items/${id}`, { status: 'done' })).status).toBe(401);
    expect((await patch(cast.responder, {})).status).toBe(400);
    expect((await patch(cast.responder, { dueDate: '2026-13-01' })).body.error.field).toBe('dueDate');
    expect((await patch(cast.commander, { ownerId: 'nosuchuser' })).status).toBe(400);

    const started = await ok(patch(cast.responder, { status: 'in_progress' }));
    expect(started.item).toMatchObject({ status: 'in_progress', doneAt: null });
    const done = await ok(patch(cast.responder, { status: 'done', note: 'Shipped in #812' }));
    expect(done.item).toMatchObject({ status: 'done', doneBy: { id: cast.responder.user.id, displayName: 'Rey' }, doneNote: 'Shipped in #812', overdue: false });
    expect(Date.now() - new Date(done.item.doneAt).getTime()).toBeLessThan(60_000);
    const view = await ok(cast.commander.client.get(`/api/incidents/${incident.ref}/postmortem`));
    expect(view.actionItems).toEqual({ total: 1, done: 1, overdue: 0 });

    const reassigned = await ok(patch(cast.commander, { status: 'open', ownerId: cast.commander.user.id, dueDate: day(3) }));
    expect(reassigned.item).toMatchObject({ status: 'open', doneAt: null, doneBy: null, owner: { id: cast.commander.user.id }, dueDate: day(3) });
    // Rey no longer owns it, and is no commander.
    expect((await patch(cast.responder, { status: 'done' })).status).toBe(403);
    expect((await ok(patch(cast.admin, { status: 'wont_do', note: 'Replaced by the queue redesign' }))).item.status).toBe('wont_do');
    expect((await cast.admin.client.request('PATCH', '/api/action-items/nosuchitem', { status: 'done' })).status).toBe(404);
  });
});
