import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { DiffLineSchema, IncidentRunbooksSchema, RunbookSchema, RunbookVersionSummarySchema } from '../../server/shared/api/runbooks.ts';

describe.each(backends)('runbooks (%s)', (backend) => {
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

  const put = (person: Cast['admin'], path: string, body: unknown) => person.client.request('PUT', path, body);

  async function create(person: Cast['admin'], body: Record<string, unknown> = {}) {
    const response = await person.client.post('/api/runbooks', { title: 'Payments: pool exhausted', body: '# Pool\n\n- check pg_stat_activity\n', services: ['Payments'], ...body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.runbook;
  }

  it('keeps every save as a version with its author, and diffs any two', async () => {
    const runbook = await create(cast.commander, { title: 'Search: indexing stalled', failureMode: 'Indexer stuck on a poison message' });
    expect(runbook).toMatchObject({ slug: 'search-indexing-stalled', version: 1, owner: { id: cast.commander.user.id, displayName: 'Cora' }, stale: false, lastVerified: null });

    const v2 = await put(cast.responder, `/api/runbooks/${runbook.id}`, { baseVersion: 1, body: '# Pool\n\n- check pg_stat_activity\n- kubectl rollout undo\n', note: 'Added the rollback' });
    expect(v2.status, JSON.stringify(v2.body)).toBe(200);
    expect(v2.body.runbook).toMatchObject({ version: 2, owner: { displayName: 'Cora' } });
    const v3 = await put(cast.observer, `/api/runbooks/${runbook.slug}`, { baseVersion: 2, title: 'Search: indexer stuck', body: '# Pool\n\n- kubectl rollout undo\n' });
    expect(v3.status).toBe(200);

    const history = await cast.outsider.client.get(`/api/runbooks/${runbook.id}/versions`);
    expect(history.status).toBe(200);
    expect(history.body.versions.map((v: any) => [v.version, v.author.displayName, v.note])).toEqual([
      [3, 'Obi', ''],
      [2, 'Rey', 'Added the rollback'],
      [1, 'Cora', ''],
    ]);
    const old = await cast.admin.client.get(`/api/runbooks/${runbook.id}/versions/1`);
    expect(old.body.version).toMatchObject({ version: 1, title: 'Search: indexing stalled', body: '# Pool\n\n- check pg_stat_activity\n' });

    const diff = await cast.admin.client.get(`/api/runbooks/${runbook.id}/diff?from=1&to=3`);
    expect(diff.status).toBe(200);
    // What /api/docs promises is what the server sends.
    RunbookSchema.parse(v3.body.runbook);
    history.body.versions.forEach((v: unknown) => RunbookVersionSummarySchema.parse(v));
    diff.body.lines.forEach((l: unknown) => DiffLineSchema.parse(l));
    expect(diff.body.lines.filter((l: any) => l.kind !== 'same')).toEqual([
      { kind: 'removed', text: '- check pg_stat_activity', oldLine: 3 },
      { kind: 'added', text: '- kubectl rollout undo', newLine: 3 },
    ]);
    expect((await cast.admin.client.get(`/api/runbooks/${runbook.id}/diff?from=1&to=9`)).status).toBe(404);
    expect((await cast.admin.client.get(`/api/runbooks/${runbook.id}/diff?from=x&to=1`)).status).toBe(400);
  });

  it('refuses a save based on an old version with 409 and the current text, writing nothing', async () => {
    const runbook = await create(cast.commander, { title: 'Auth: cert expired' });
    const first = await put(cast.commander, `/api/runbooks/${runbook.id}`, { baseVersion: 1, body: 'Cora’s text' });
    expect(first.status).toBe(200);
    const second = await put(cast.responder, `/api/runbooks/${runbook.id}`, { baseVersion: 1, body: 'Rey’s text' });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'version_conflict', field: 'baseVersion', message: expect.stringMatching(/^Cora saved version 2 at .* UTC while you were editing version 1\./) });
    expect(second.body.current).toMatchObject({ version: 2, body: 'Cora’s text' });
    const now = await cast.responder.client.get(`/api/runbooks/${runbook.id}`);
    expect(now.body.runbook).toMatchObject({ version: 2, body: 'Cora’s text' });
    expect((await cast.admin.client.get(`/api/runbooks/${runbook.id}/versions`)).body.versions).toHaveLength(2);
    // Rebased on what is there now, Rey's save goes through.
    expect((await put(cast.responder, `/api/runbooks/${runbook.id}`, { baseVersion: 2, body: 'Rey’s text' })).body.runbook.version).toBe(3);
  });

  it('serialises two saves racing on the same version: one wins, the other gets 409', async () => {
    const runbook = await create(cast.commander, { title: 'Race' });
    const results = await Promise.all([
      put(cast.commander, `/api/runbooks/${runbook.id}`, { baseVersion: 1, body: 'one' }),
      put(cast.responder, `/api/runbooks/${runbook.id}`, { baseVersion: 1, body: 'two' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await cast.admin.client.get(`/api/runbooks/${runbook.id}/versions`)).body.versions).toHaveLength(2);
  });

  it('answers bad input with 400 and a message, unknown runbooks with 404, strangers with 401', async () => {
    const empty = await cast.commander.client.post('/api/runbooks', { title: ' ', body: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ field: 'title', message: 'title: must not be empty' });
    const runbook = await create(cast.commander, { title: 'Bad input' });
    const noBase = await put(cast.commander, `/api/runbooks/${runbook.id}`, { body: 'x' });
    expect(noBase.status).toBe(400);
    expect(noBase.body.error.field).toBe('baseVersion');
    expect((await cast.commander.client.post(`/api/runbooks/${runbook.id}/stamps`, { incident: 'nope', kind: 'used' })).body.error.field).toBe('incident');
    expect((await cast.commander.client.get('/api/runbooks/no-such-thing')).status).toBe(404);
    expect((await cast.anonymous.get('/api/runbooks')).status).toBe(401);
  });

  it('stamps used/verified only in incidents the caller may see; verification resets staleness', async () => {
    const runbook = await create(cast.commander, { title: 'Stamped' });
    const open = await declare(cast.commander, { services: ['payments'] });
    const used = await cast.outsider.client.post(`/api/runbooks/${runbook.id}/stamps`, { incident: open.ref, kind: 'used' });
    expect(used.status, JSON.stringify(used.body)).toBe(201);
    expect(used.body.runbook.lastUsed).toMatchObject({ kind: 'used', incidentRef: open.ref, by: { displayName: 'Otto' } });
    expect(used.body.runbook.lastVerified).toBeNull();

    const secret = await privateIncident(cast, { services: ['payments'] });
    const refused = await cast.outsider.client.post(`/api/runbooks/${runbook.id}/stamps`, { incident: secret.ref, kind: 'verified' });
    expect(refused.status).toBe(404);
    expect(refused.body.error.message).toBe('No such incident.');
    const refusedSave = await put(cast.outsider, `/api/runbooks/${runbook.id}`, { baseVersion: 1, body: 'x', verifiedIn: secret.ref });
    expect(refusedSave.status).toBe(404);
    expect((await cast.admin.client.get(`/api/runbooks/${runbook.id}/versions`)).body.versions).toHaveLength(1);

    const verified = await cast.responder.client.post(`/api/runbooks/${runbook.id}/stamps`, { incident: secret.ref, kind: 'verified' });
    expect(verified.status).toBe(201);
    expect(verified.body.runbook.lastVerified).toMatchObject({ incidentRef: secret.ref, by: { displayName: 'Rey' } });
    // Outsiders learn that it was verified and when, not in which private incident nor by whom.
    const seenByOutsider = (await cast.outsider.client.get(`/api/runbooks/${runbook.id}`)).body.runbook;
    expect(seenByOutsider.lastVerified).toMatchObject({ incidentNumber: null, incidentRef: null, by: null });
    expect(seenByOutsider.stamps.map((s: any) => s.incidentRef)).toEqual([open.ref]);

    // An old, never-verified runbook is stale; a verification stamp makes it fresh.
    await db.sql`update runbooks set created_at = now() - interval '7 months' where id = ${runbook.id}`;
    await db.sql`update runbook_uses set at = now() - interval '7 months' where runbook_id = ${runbook.id}`;
    expect((await cast.admin.client.get(`/api/runbooks/${runbook.id}`)).body.runbook.stale).toBe(true);
    expect((await cast.admin.client.get('/api/runbooks?stale=true')).body.runbooks.map((r: any) => r.id)).toContain(runbook.id);
    // Re-saving unchanged text while verifying only stamps: no empty version.
    const reverified = await put(cast.commander, `/api/runbooks/${runbook.id}`, { baseVersion: 1, body: runbook.body, verifiedIn: open.ref });
    expect(reverified.body.runbook).toMatchObject({ version: 1, stale: false, lastVerified: { incidentRef: open.ref } });
    expect((await cast.admin.client.get('/api/runbooks?stale=false')).body.runbooks.map((r: any) => r.id)).toContain(runbook.id);
  });

  it('lists by service and words, and the war room sees its services’ runbooks and, once resolved, the prompt', async () => {
    const billing = await create(cast.admin, { title: 'Billing: invoice run failed', services: ['billing'], body: 'Stop the scheduler' });
    await create(cast.admin, { title: 'Unrelated', services: ['dns'], body: 'dig' });
    const byService = await cast.outsider.client.get('/api/runbooks?service=Billing');
    expect(byService.body.runbooks.map((r: any) => r.id)).toEqual([billing.id]);
    expect((await cast.outsider.client.get('/api/runbooks?q=scheduler')).body.runbooks.map((r: any) => r.id)).toEqual([billing.id]);

    const incident = await declare(cast.commander, { title: 'Invoices doubled', services: ['billing', 'email'], summary: 'Customers got two invoices' });
    await cast.responder.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' });
    const during = await cast.responder.client.get(`/api/incidents/${incident.ref}/runbooks`);
    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({ runbooks: [{ id: billing.id }], prompt: null });

    for (const state of ['resolved', 'closed']) expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state })).status).toBe(200);
    const resolver = (await cast.commander.client.get(`/api/incidents/${incident.ref}/runbooks`)).body.prompt;
    expect(resolver).toMatchObject({ isResolver: true, resolvedBy: { displayName: 'Cora' }, draft: { title: 'Invoices doubled', services: ['billing', 'email'] } });
    IncidentRunbooksSchema.parse((await cast.commander.client.get(`/api/incidents/${incident.ref}/runbooks`)).body);
    expect(resolver.draft.body).toContain('## Decision points');
    expect(resolver.draft.body).toContain(`INC-${incident.number}`);
    // A responder who worked it sees the prompt too; a reader who did not does not.
    expect((await cast.responder.client.get(`/api/incidents/${incident.ref}/runbooks`)).body.prompt).toMatchObject({ isResolver: false });
    expect((await cast.outsider.client.get(`/api/incidents/${incident.ref}/runbooks`)).body.prompt).toBeNull();

    // Writing the runbook from the incident stamps it verified there.
    // The editor sends the fields people edit; `private` only tells the page why a prefill is thin.
    const { private: _private, ...draft } = resolver.draft;
    const written = await create(cast.commander, { ...draft, verifiedIn: incident.ref });
    expect(written.lastVerified).toMatchObject({ incidentRef: incident.ref });
    // Answered: the prompt goes away for everyone, the new runbook is listed.
    const after = (await cast.commander.client.get(`/api/incidents/${incident.ref}/runbooks`)).body;
    expect(after.prompt).toBeNull();
    expect(after.runbooks.map((r: any) => r.id)).toContain(written.id);
    const secret = await privateIncident(cast, { services: ['billing'] });
    expect((await cast.outsider.client.get(`/api/incidents/${secret.ref}/runbooks`)).status).toBe(404);
  });
});
