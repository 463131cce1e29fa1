import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addActionItem, postmortemDocId, recordRev } from '../../server/shared/postmortem-doc.ts';
import { connectProvider, waitFor, type TestProvider } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { incidentCast, privateIncident, type Cast, type Person } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * What a second person's open postmortem page relies on: every change to the
 * postmortem's record reaches its live document as a new `meta.rev`, so the
 * page refetches and shows the state the others made (not a stale Draft whose
 * "Submit for review" answers 409).
 */
describe.each(backends)('open postmortem pages follow the record (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const open: TestProvider[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    for (const provider of open) provider.destroy();
    await server?.close();
    await db?.close();
  });

  const ok = async (request: Promise<{ status: number; body: any }>) => {
    const response = await request;
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };

  /** A page: the reader's live connection to the postmortem, and the revisions it has heard, in order. */
  async function openPage(person: Person, incidentId: string) {
    const page = connectProvider(server.url, postmortemDocId(incidentId), person.client.cookie);
    open.push(page);
    await page.synced();
    const heard: number[] = [];
    page.doc.getMap('meta').observe((_event, tx) => {
      if (!tx.local) heard.push(recordRev(page.doc));
    });
    return {
      page,
      heard,
      /** Waits until the page has heard a revision newer than `since`. */
      nudged: (since: number) => waitFor(() => recordRev(page.doc) > since, 'the page to hear the change').then(() => recordRev(page.doc)),
    };
  }

  it('nudges a watcher’s page on submit, publish, an action item done, the due date and a revision', async () => {
    const incident = await privateIncident(cast);
    const base = `/api/incidents/${incident.ref}/postmortem`;
    await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'resolved' }));
    await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'closed' }));
    const watcher = await openPage(cast.observer, incident.id);
    const stateSeenBy = async (person: Person) => (await ok(person.client.get(base))).postmortem.state;

    let rev = recordRev(watcher.page.doc);
    await ok(cast.responder.client.post(`${base}/submit`));
    rev = await watcher.nudged(rev);
    expect(await stateSeenBy(cast.observer)).toBe('in_review');

    await ok(cast.commander.client.request('PATCH', base, { reviewDueAt: new Date(Date.now() + 9 * 86_400_000).toISOString() }));
    rev = await watcher.nudged(rev);

    await server.collab.changeDocument(postmortemDocId(incident.id), null, (doc) => {
      doc.getMap<Y.Text>('sections').get('summary')!.insert(0, 'Checkout failed for 40 minutes.');
      addActionItem(doc, { title: 'Alert on pool saturation', owner: { id: cast.responder.user.id, name: 'Rey' }, dueDate: '2099-01-01', kind: 'immediate' });
    });
    await ok(cast.commander.client.post(`${base}/publish`));
    rev = await watcher.nudged(rev);
    const published = await ok(cast.observer.client.get(base));
    expect(published.postmortem).toMatchObject({ state: 'published', version: 1, versions: [{ version: 1 }] });

    // After publication the page stays connected, read-only, and still follows the action items.
    const [item] = (await ok(cast.responder.client.get(`/api/action-items?incident=${incident.ref}`))).items;
    await ok(cast.responder.client.request('PATCH', `/api/action-items/${item.id}`, { status: 'done', note: 'Alert live' }));
    rev = await watcher.nudged(rev);
    expect((await ok(cast.observer.client.get(base))).actionItems).toEqual({ total: 1, done: 1, overdue: 0 });

    await ok(cast.commander.client.post(`${base}/revise`));
    rev = await watcher.nudged(rev);
    expect(await stateSeenBy(cast.observer)).toBe('draft');

    // One revision per change, heard in order, none skipped.
    expect(watcher.heard.filter((r, i, all) => all.indexOf(r) === i)).toEqual([rev - 4, rev - 3, rev - 2, rev - 1, rev]);
  });

  it('says nothing for a refused move', async () => {
    const incident = await privateIncident(cast);
    const base = `/api/incidents/${incident.ref}/postmortem`;
    await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'resolved' }));
    await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'closed' }));
    const watcher = await openPage(cast.observer, incident.id);
    const before = recordRev(watcher.page.doc);
    expect((await cast.commander.client.post(`${base}/publish`)).status).toBe(409);
    expect((await cast.observer.client.post(`${base}/submit`)).status).toBe(403);
    // A successful move afterwards is the very next revision: the refusals wrote none.
    await ok(cast.responder.client.post(`${base}/submit`));
    expect(await watcher.nudged(before)).toBe(before + 1);
  });
});
