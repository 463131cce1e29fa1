import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe.each(backends)('a closed incident is frozen (%s)', (backend) => {
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

  async function closedIncident() {
    const incident = await declare(cast.commander, { severity: 2 });
    for (const state of ['resolved', 'closed']) {
      const moved = await cast.commander.client.post(`/api/incidents/${incident.ref}/state`, { state });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    }
    return incident;
  }

  const eventCount = async (incidentId: string) =>
    (await db.sql<{ n: number }>`select count(*)::int as n from incident_events where incident_id = ${incidentId}`)[0].n;

  it('refuses severity, roles, claims, details and times, for the commander and an admin alike', async () => {
    const { ref, id } = await closedIncident();
    const before = await eventCount(id);
    const base = `/api/incidents/${ref}`;
    for (const person of [cast.commander, cast.admin]) {
      const attempts = [
        await person.client.post(`${base}/severity`, { severity: 1 }),
        await person.client.post(`${base}/roles`, { role: 'scribe', userId: cast.responder.user.id }),
        await person.client.post(`${base}/roles`, { role: 'commander', userId: cast.responder.user.id }),
        await person.client.request('PATCH', base, { title: 'Renamed after the fact' }),
        await person.client.request('PATCH', base, { startedAt: new Date(Date.now() - 3_600_000).toISOString() }),
      ];
      for (const response of attempts) {
        expect(response.status, JSON.stringify(response.body)).toBe(409);
        expect(response.body.error).toMatchObject({ code: 'incident_closed', message: expect.stringContaining('Reopen') });
      }
    }
    const claim = await cast.commander.client.post(`${base}/roles/claim`, { role: 'communicator' });
    expect(claim.body.error).toMatchObject({ code: 'incident_closed' });

    const after = (await cast.commander.client.get(base)).body.incident;
    expect(after).toMatchObject({ severity: 2, title: 'Checkout is failing', state: 'closed', roles: { scribe: null, commander: { id: cast.commander.user.id } } });
    expect(await eventCount(id)).toBe(before);
  });

  it('still reopens, after which the commander changes it again', async () => {
    const { ref } = await closedIncident();
    const reopened = await cast.commander.client.post(`/api/incidents/${ref}/state`, { state: 'investigating' });
    expect(reopened.status).toBe(200);
    const severity = await cast.commander.client.post(`/api/incidents/${ref}/severity`, { severity: 1 });
    expect(severity.body.incident.severity).toBe(1);
  });
});
