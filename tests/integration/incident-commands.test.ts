import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, privateIncident, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('incident commands (%s)', (backend) => {
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

  const eventRows = (incidentId: string) =>
    db.sql<{ kind: string; actor_id: string | null; data: any }>`select kind, actor_id, data from incident_events where incident_id = ${incidentId} order by id`;

  it('declares with a human number, the declarer as responder and commander, and acknowledgement at once', async () => {
    const before = Date.now();
    const incident = await declare(cast.commander, {
      title: '  Payments API 500s ',
      severity: 1,
      summary: 'Card payments fail',
      services: [' Payments ', 'payments', 'DB', ''],
      drill: true,
      detectedAt: new Date(before - 60_000).toISOString(),
    });
    expect(incident.ref).toBe(`INC-${incident.number}`);
    expect(incident).toMatchObject({
      title: 'Payments API 500s',
      severity: 1,
      state: 'investigating',
      services: ['payments', 'db'],
      private: false,
      drill: true,
      docId: `incident-${incident.id}`,
      declaredBy: { id: cast.commander.user.id, displayName: 'Cora' },
      roles: { commander: { id: cast.commander.user.id, displayName: 'Cora' }, scribe: null, communicator: null },
      participants: [{ id: cast.commander.user.id, kind: 'responder' }],
      mitigatedAt: null,
      resolvedAt: null,
      closedAt: null,
    });
    expect(incident.startedAt).toBe(incident.declaredAt);
    expect(incident.acknowledgedAt).toBe(incident.declaredAt);
    expect(new Date(incident.detectedAt).getTime()).toBe(before - 60_000);
    const next = await declare(cast.responder);
    expect(next.number).toBe(incident.number + 1);
    for (const ref of [`inc-${incident.number}`, String(incident.number)]) {
      expect((await cast.commander.client.get(`/api/incidents/${ref}`)).body.incident.id).toBe(incident.id);
    }
    const events = await eventRows(incident.id);
    expect(events).toEqual([
      { kind: 'declared', actor_id: cast.commander.user.id, data: expect.objectContaining({ severity: 1, title: 'Payments API 500s' }) },
      { kind: 'acknowledged', actor_id: cast.commander.user.id, data: expect.anything() },
    ]);
  });

  it('makes the named commander a responder too', async () => {
    const incident = await declare(cast.responder, { commanderId: cast.commander.user.id });
    expect(incident.roles.commander.id).toBe(cast.commander.user.id);
    expect(incident.participants.map((p: { id: string }) => p.id).sort()).toEqual([cast.commander.user.id, cast.responder.user.id].sort());
    expect(incident.me.canCommand).toBe(false);
  });

  it('refuses bad declarations with the field at fault', async () => {
    const post = (body: object) => cast.commander.client.post('/api/incidents', body);
    expect((await post({ title: ' ', severity: 2 })).body.error).toMatchObject({ code: 'invalid_input', field: 'title' });
    expect((await post({ title: 'x', severity: 5 })).body.error).toMatchObject({ code: 'invalid_input', field: 'severity' });
    expect((await post({ title: 'x', severity: 2, commanderId: 'nosuchuser' })).body.error).toMatchObject({ code: 'unknown_user', field: 'commanderId' });
    expect((await post({ title: 'x', severity: 2, startedAt: 'yesterday' })).body.error.field).toBe('startedAt');
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await post({ title: 'x', severity: 2, startedAt: future })).status).toBe(400);
    expect((await cast.commander.client.get('/api/incidents/not-a-ref')).status).toBe(404);
  });

  it('walks the lifecycle, recording the timestamps and one event per change', async () => {
    const { ref, id } = await declare(cast.commander);
    const move = async (state: string) => {
      const response = await cast.commander.client.post(`/api/incidents/${ref}/state`, { state });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.incident;
    };
    expect((await move('identified')).mitigatedAt).toBeNull();
    const monitoring = await move('monitoring');
    expect(monitoring.mitigatedAt).not.toBeNull();
    const resolved = await move('resolved');
    expect(resolved.mitigatedAt).toBe(monitoring.mitigatedAt);
    expect(resolved.resolvedAt).not.toBeNull();
    const reopened = await move('investigating');
    expect(reopened.resolvedAt).toBeNull();
    expect(reopened.mitigatedAt).toBe(monitoring.mitigatedAt);
    const again = await move('resolved');
    const closed = await move('closed');
    expect(closed.resolvedAt).toBe(again.resolvedAt);
    expect(closed.closedAt).not.toBeNull();

    const events = await cast.commander.client.get(`/api/incidents/${ref}/events`);
    const states = events.body.events.filter((e: { kind: string }) => e.kind === 'state');
    expect(states.map((e: { message: string }) => e.message)).toEqual([
      'State investigating → identified',
      'State identified → monitoring',
      'State monitoring → resolved',
      'State resolved → investigating',
      'State investigating → resolved',
      'State resolved → closed',
    ]);
    expect(states[0]).toMatchObject({ actor: { id: cast.commander.user.id, displayName: 'Cora' }, data: { from: 'investigating', to: 'identified' } });
    expect((await eventRows(id)).filter((e) => e.kind === 'state')).toHaveLength(6);
  });

  it('refuses a same-state or invalid transition with 409, saying what is allowed, and writes nothing', async () => {
    const { ref, id } = await declare(cast.commander);
    const same = await cast.commander.client.post(`/api/incidents/${ref}/state`, { state: 'investigating' });
    expect(same.status).toBe(409);
    expect(same.body.error).toMatchObject({ code: 'invalid_transition', message: expect.stringContaining('identified, monitoring, resolved') });
    const skip = await cast.commander.client.post(`/api/incidents/${ref}/state`, { state: 'closed' });
    expect(skip.status).toBe(409);
    expect(skip.body.error.message).toMatch(/Cannot move from investigating to closed/);
    await cast.commander.client.post(`/api/incidents/${ref}/state`, { state: 'resolved' });
    await cast.commander.client.post(`/api/incidents/${ref}/state`, { state: 'closed' });
    const final = await cast.admin.client.post(`/api/incidents/${ref}/state`, { state: 'monitoring' });
    expect(final.status).toBe(409);
    expect(final.body.error.message).toMatch(/closed incident can only be reopened/);
    expect((await cast.commander.client.post(`/api/incidents/${ref}/state`, { state: 'fixed' })).status).toBe(400);
    expect((await eventRows(id)).map((e) => e.kind)).toEqual(['declared', 'acknowledged', 'state', 'state']);
  });

  it('changes severity and title with events carrying old and new values', async () => {
    const { ref, id } = await declare(cast.commander, { severity: 3, title: 'Slow pages' });
    expect((await cast.commander.client.post(`/api/incidents/${ref}/severity`, { severity: 1 })).body.incident.severity).toBe(1);
    expect((await cast.commander.client.post(`/api/incidents/${ref}/severity`, { severity: 1 })).status).toBe(409);
    const patched = await cast.admin.client.request('PATCH', `/api/incidents/${ref}`, {
      title: 'Site down',
      summary: 'All pages 502',
      services: ['Edge', 'edge'],
      private: true,
    });
    expect(patched.body.incident).toMatchObject({ title: 'Site down', summary: 'All pages 502', services: ['edge'], private: true });
    // Nothing changed: no new event.
    expect((await cast.admin.client.request('PATCH', `/api/incidents/${ref}`, { title: 'Site down' })).status).toBe(200);
    const events = (await cast.commander.client.get(`/api/incidents/${ref}/events`)).body.events;
    expect(events.map((e: { kind: string }) => e.kind)).toEqual(['declared', 'acknowledged', 'severity', 'title', 'details']);
    expect(events[2]).toMatchObject({ message: 'Severity SEV3 → SEV1', data: { from: 3, to: 1 } });
    expect(events[3]).toMatchObject({ message: 'Title "Slow pages" → "Site down"', actor: { id: cast.admin.user.id } });
    expect(events[4].data.changes.map((c: { field: string }) => c.field)).toEqual(['summary', 'services', 'private']);
    expect((await eventRows(id)).at(-1)!.actor_id).toBe(cast.admin.user.id);
  });

  it('hands command off, after which only the new commander (or an admin) commands', async () => {
    const { ref } = await privateIncident(cast);
    const handoff = await cast.commander.client.post(`/api/incidents/${ref}/roles`, { role: 'commander', userId: cast.responder.user.id });
    expect(handoff.body.incident.roles.commander.id).toBe(cast.responder.user.id);
    expect(handoff.body.incident.me.canCommand).toBe(false);
    const refused = await cast.commander.client.post(`/api/incidents/${ref}/severity`, { severity: 1 });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('Only the incident commander (Rey) or an admin');
    expect((await cast.responder.client.post(`/api/incidents/${ref}/severity`, { severity: 1 })).status).toBe(200);
    const events = (await cast.responder.client.get(`/api/incidents/${ref}/events`)).body.events;
    expect(events.find((e: { kind: string }) => e.kind === 'role')).toMatchObject({
      message: 'Cora handed command to Rey',
      data: { role: 'commander', from: { id: cast.commander.user.id, name: 'Cora' }, to: { id: cast.responder.user.id, name: 'Rey' } },
    });
    const nobody = await cast.responder.client.post(`/api/incidents/${ref}/roles`, { role: 'commander', userId: null });
    expect(nobody.status).toBe(400);
    expect(nobody.body.error.code).toBe('commander_required');
  });

  it('makes role holders responders, and keeps them from switching to observer', async () => {
    const { ref } = await privateIncident(cast);
    const assigned = await cast.commander.client.post(`/api/incidents/${ref}/roles`, { role: 'communicator', userId: cast.observer.user.id });
    const obi = assigned.body.incident.participants.find((p: { id: string }) => p.id === cast.observer.user.id);
    expect(obi.kind).toBe('responder');
    const watch = await cast.observer.client.post(`/api/incidents/${ref}/join`, { as: 'observer' });
    expect(watch.status).toBe(409);
    expect(watch.body.error.message).toMatch(/communicator/);

    // Assigning to someone outside a private incident brings them in.
    const outsider = await cast.commander.client.post(`/api/incidents/${ref}/roles`, { role: 'scribe', userId: cast.outsider.user.id });
    expect(outsider.body.incident.participants.find((p: { id: string }) => p.id === cast.outsider.user.id)?.kind).toBe('responder');
    expect((await cast.outsider.client.get(`/api/incidents/${ref}`)).status).toBe(200);
    const cleared = await cast.commander.client.post(`/api/incidents/${ref}/roles`, { role: 'scribe', userId: null });
    expect(cleared.body.incident.roles.scribe).toBeNull();
  });

  it('lets a responder claim an empty role once; a taken role is a 409', async () => {
    const { ref } = await privateIncident(cast);
    const claimed = await cast.responder.client.post(`/api/incidents/${ref}/roles/claim`, { role: 'scribe' });
    expect(claimed.body.incident.roles.scribe.id).toBe(cast.responder.user.id);
    const taken = await cast.admin.client.post(`/api/incidents/${ref}/roles/claim`, { role: 'scribe' });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'role_taken', message: expect.stringContaining('Rey is already the scribe') });
    expect((await cast.commander.client.post(`/api/incidents/${ref}/roles/claim`, { role: 'commander' })).status).toBe(409);
    const events = (await cast.responder.client.get(`/api/incidents/${ref}/events`)).body.events;
    expect(events.at(-1)).toMatchObject({ kind: 'role', message: 'Rey claimed the scribe role', actor: { id: cast.responder.user.id } });
  });

  it('gives an empty role to exactly one of several people claiming it at once', async () => {
    const { ref } = await declare(cast.commander);
    const claimers = [cast.commander, cast.responder, cast.observer, cast.outsider, cast.admin];
    for (const person of claimers.slice(1)) await person.client.post(`/api/incidents/${ref}/join`, { as: 'responder' });
    const results = await Promise.all(claimers.map((person) => person.client.post(`/api/incidents/${ref}/roles/claim`, { role: 'communicator' })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const winner = claimers[results.findIndex((r) => r.status === 200)];
    expect((await cast.commander.client.get(`/api/incidents/${ref}`)).body.incident.roles.communicator.id).toBe(winner.user.id);
    const roleEvents = (await cast.commander.client.get(`/api/incidents/${ref}/events`)).body.events.filter((e: { kind: string }) => e.kind === 'role');
    expect(roleEvents).toHaveLength(1);
  });

  it('joins idempotently, recording an event only when something changed', async () => {
    const { ref, id } = await declare(cast.commander);
    const count = async () => (await eventRows(id)).filter((e) => e.kind === 'participant').length;
    await cast.outsider.client.post(`/api/incidents/${ref}/join`, { as: 'observer' });
    await cast.outsider.client.post(`/api/incidents/${ref}/join`, { as: 'observer' });
    expect(await count()).toBe(1);
    const switched = await cast.outsider.client.post(`/api/incidents/${ref}/join`, { as: 'responder' });
    expect(switched.body.incident.participants.find((p: { id: string }) => p.id === cast.outsider.user.id).kind).toBe('responder');
    await cast.outsider.client.post(`/api/incidents/${ref}/join`, { as: 'responder' });
    expect(await count()).toBe(2);
    const messages = (await cast.outsider.client.get(`/api/incidents/${ref}/events`)).body.events.map((e: { message: string }) => e.message);
    expect(messages).toEqual(expect.arrayContaining(['Otto joined as observer', 'Otto switched from observer to responder']));
  });

  it('adds participants by admin or commander, only active users', async () => {
    const { ref } = await privateIncident(cast);
    const bad = await cast.commander.client.post(`/api/incidents/${ref}/participants`, { userId: 'nosuchuser', kind: 'responder' });
    expect(bad.status).toBe(400);
    const added = await cast.admin.client.post(`/api/incidents/${ref}/participants`, { userId: cast.outsider.user.id, kind: 'observer' });
    expect(added.body.incident.participants.find((p: { id: string }) => p.id === cast.outsider.user.id).kind).toBe('observer');
    const seen = await cast.outsider.client.get(`/api/incidents/${ref}`);
    expect(seen.body.incident.me).toMatchObject({ access: 'read', kind: 'observer' });
  });
});
