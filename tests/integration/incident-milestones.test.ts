import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../helpers/api-tokens.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MINUTE = 60_000;
const ago = (minutes: number) => new Date(Date.now() - minutes * MINUTE).toISOString();

describe.each(backends)('incident milestones (%s)', (backend) => {
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

  const patch = (ref: string, body: object, person = cast.commander) => person.client.request('PATCH', `/api/incidents/${ref}`, body);
  const move = async (ref: string, state: string) => {
    const response = await cast.commander.client.post(`/api/incidents/${ref}/state`, { state });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.incident;
  };
  const events = async (ref: string) => (await cast.commander.client.get(`/api/incidents/${ref}/events`)).body.events as { kind: string; message: string; data: any }[];

  it('lets the commander correct every milestone, each recorded with its old and new value', async () => {
    const incident = await declare(cast.commander, { startedAt: ago(50) });
    await move(incident.ref, 'monitoring');
    const resolved = await move(incident.ref, 'resolved');
    const times = { startedAt: ago(60), detectedAt: ago(55), acknowledgedAt: new Date(new Date(incident.declaredAt).getTime() + 30_000).toISOString(), mitigatedAt: ago(20), resolvedAt: ago(10) };
    const corrected = await patch(incident.ref, times);
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    expect(corrected.body.incident).toMatchObject(times);
    // The stored row says the same as the answer.
    const [row] = await db.sql<Record<string, Date>>`select started_at, detected_at, acknowledged_at, mitigated_at, resolved_at from incidents where id = ${incident.id}`;
    expect(row.resolved_at.toISOString()).toBe(times.resolvedAt);
    expect(row.mitigated_at.toISOString()).toBe(times.mitigatedAt);
    expect(row.acknowledged_at.toISOString()).toBe(times.acknowledgedAt);

    const details = (await events(incident.ref)).filter((e) => e.kind === 'details').at(-1)!;
    expect(details.data.changes).toEqual([
      { field: 'startedAt', from: incident.startedAt, to: times.startedAt },
      { field: 'detectedAt', from: null, to: times.detectedAt },
      { field: 'acknowledgedAt', from: incident.acknowledgedAt, to: times.acknowledgedAt },
      { field: 'mitigatedAt', from: resolved.mitigatedAt, to: times.mitigatedAt },
      { field: 'resolvedAt', from: resolved.resolvedAt, to: times.resolvedAt },
    ]);
    expect(details.message).toMatch(/^Cora corrected the start of impact \(.+ UTC → .+ UTC\), the detection time \(not recorded → .+ UTC\)/);
    expect(details.message).toContain('the resolution time (');
  });

  it('refuses unknown fields instead of answering 200 and dropping them', async () => {
    const incident = await declare(cast.commander);
    const typo = await patch(incident.ref, { resolvedat: ago(1) });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatchObject({ code: 'unknown_field', field: 'resolvedat' });
    const closed = await patch(incident.ref, { closedAt: ago(1), title: 'x' });
    expect(closed.body.error).toMatchObject({ code: 'unknown_field', field: 'closedAt' });
    expect((await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state: 'identified', why: 'typo' })).body.error).toMatchObject({ code: 'unknown_field', field: 'why' });
    expect((await cast.commander.client.get(`/api/incidents/${incident.ref}`)).body.incident).toMatchObject({ title: 'Checkout is failing', state: 'investigating' });
  });

  it('keeps the milestones in order, naming the field at fault', async () => {
    const incident = await declare(cast.commander, { startedAt: ago(30) });
    const declaredAt = new Date(incident.declaredAt).getTime();
    const refused = async (body: object, field: string, words: RegExp) => {
      const response = await patch(incident.ref, body);
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'invalid_input', field });
      expect(response.body.error.message).toMatch(words);
    };
    await refused({ detectedAt: ago(40) }, 'detectedAt', /detected cannot be before impact started/);
    await refused({ detectedAt: new Date(declaredAt + 60_000).toISOString() }, 'detectedAt', /detected cannot be after declared/);
    await refused({ acknowledgedAt: new Date(declaredAt - 60_000).toISOString() }, 'acknowledgedAt', /acknowledged cannot be before declared/);
    await expect(patch(incident.ref, { detectedAt: ago(20) })).resolves.toMatchObject({ status: 200 });
    await refused({ startedAt: ago(10) }, 'startedAt', /impact started cannot be after detected/);
    // Times the lifecycle has not reached have nothing to correct.
    const early = await patch(incident.ref, { resolvedAt: ago(1) });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'not_reached', field: 'resolvedAt' });
    await move(incident.ref, 'monitoring');
    await refused({ mitigatedAt: ago(40) }, 'mitigatedAt', /mitigated cannot be before impact started/);
  });

  it('only lets the commander or an admin correct times', async () => {
    const incident = await declare(cast.commander);
    await cast.responder.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' });
    const response = await patch(incident.ref, { startedAt: ago(5) }, cast.responder);
    expect(response.status).toBe(403);
    expect((await patch(incident.ref, { startedAt: ago(5) }, cast.admin)).status).toBe(200);
  });

  describe('acknowledgement', () => {
    it('is the declaration when a person declares by hand, recorded as an event', async () => {
      const incident = await declare(cast.commander);
      expect(incident.acknowledgedAt).toBe(incident.declaredAt);
      expect((await events(incident.ref)).map((e) => e.message)).toEqual(['Cora declared a SEV2: Checkout is failing', 'Cora acknowledged the incident']);
    });

    it('is not set when a script declares; the first person to join as a responder acknowledges', async () => {
      const script = (await createApiToken(server, cast.commander.client, { scopes: ['incidents:write', 'incidents:read'] })).client;
      const { incident } = (await script.post('/api/incidents', { title: 'Disk full on db-3', severity: 3 })).body;
      expect(incident.acknowledgedAt).toBeNull();

      // Watching is not taking it.
      await cast.observer.client.post(`/api/incidents/${incident.ref}/join`, { as: 'observer' });
      expect((await cast.observer.client.get(`/api/incidents/${incident.ref}`)).body.incident.acknowledgedAt).toBeNull();
      const joined = await cast.responder.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' });
      expect(joined.body.incident.acknowledgedAt).not.toBeNull();
      const later = await cast.outsider.client.post(`/api/incidents/${incident.ref}/roles/claim`, { role: 'scribe' });
      expect(later.status).toBe(403);
      await cast.outsider.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' });
      expect((await cast.outsider.client.get(`/api/incidents/${incident.ref}`)).body.incident.acknowledgedAt).toBe(joined.body.incident.acknowledgedAt);
      const acks = (await events(incident.ref)).filter((e) => e.kind === 'acknowledged');
      expect(acks.map((e) => e.message)).toEqual(['Rey acknowledged the incident']);
    });

    it('is set by claiming a role, or by pressing Acknowledge, never by a token', async () => {
      const script = (await createApiToken(server, cast.commander.client, { scopes: ['incidents:write', 'incidents:read'] })).client;
      const { incident } = (await script.post('/api/incidents', { title: 'Queue backlog', severity: 3 })).body;
      const byToken = await script.post(`/api/incidents/${incident.ref}/acknowledge`);
      expect(byToken.status).toBe(403);
      expect(byToken.body.error.code).toBe('not_a_person');

      // Cora declared through her token, so she is already a responder: she presses Acknowledge.
      const acked = await cast.commander.client.post(`/api/incidents/${incident.ref}/acknowledge`, {});
      expect(acked.status).toBe(200);
      expect(acked.body.incident.acknowledgedAt).not.toBeNull();
      const again = await cast.commander.client.post(`/api/incidents/${incident.ref}/acknowledge`, {});
      expect(again.body.incident.acknowledgedAt).toBe(acked.body.incident.acknowledgedAt);

      const other = (await script.post('/api/incidents', { title: 'Cache misses', severity: 3 })).body.incident;
      await cast.responder.client.post(`/api/incidents/${other.ref}/join`, { as: 'observer' });
      const claimedBy = await cast.admin.client.post(`/api/incidents/${other.ref}/roles/claim`, { role: 'communicator' });
      expect(claimedBy.body.incident.acknowledgedAt).not.toBeNull();
      expect((await events(other.ref)).filter((e) => e.kind === 'acknowledged').map((e) => e.message)).toEqual(['Admin acknowledged the incident']);
    });
  });
});
