import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postmortemDocId, readPostmortem } from '../../server/shared/postmortem-doc.ts';
import { formatDuration } from '../../server/shared/duration.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MIN = 60_000;

/**
 * One detection story on every page: the war room's record, the postmortem's
 * Impact and Detection sections, /metrics and /patterns read the same field,
 * however the times were backfilled.
 */
describe.each(backends)('detection, one story everywhere (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const service = `pay-${Date.now().toString(36)}`;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
    const rule = await cast.admin.client.post('/api/admin/alert-rules', { name: 'attach', matchers: [{ key: 'service', value: service }], action: 'attach' });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const ok = async <T = any>(response: Promise<{ status: number; body: T }>) => {
    const { status, body } = await response;
    expect(status, JSON.stringify(body)).toBeLessThan(300);
    return body;
  };
  const get = (path: string) => ok(cast.commander.client.get(path));
  const closeIncident = async (ref: string) => {
    for (const state of ['resolved', 'closed']) await ok(cast.commander.client.post(`/api/incidents/${ref}/state`, { state }));
  };
  const draftOf = async (incidentId: string) => {
    let content: ReturnType<typeof readPostmortem> | undefined;
    await server.collab.changeDocument(postmortemDocId(incidentId), null, (doc) => {
      content = readPostmortem(doc);
    });
    return content!.sections;
  };
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const mttdOf = async (started: Date) => {
    const metrics = await get(`/api/metrics?period=month&from=${day(started)}&to=${day(new Date())}&service=${service}`);
    return metrics.totals.mttd as { median: number | null; measured: number; notRecorded: number };
  };
  const quarterOf = (date: Date) => `${date.getUTCFullYear()}-Q${Math.floor(date.getUTCMonth() / 3) + 1}`;
  const gapOf = async (ref: string, started: Date) => {
    const review = await get(`/api/patterns?quarter=${quarterOf(started)}`);
    return review.detectionGaps.find((g: { incident: { ref: string } }) => g.incident.ref === ref) as { timeToDetect: number | null; detectionExcerpt: string } | undefined;
  };

  it('an alert that fired before the recorded start moves the start with it, so time to detect stays measured', async () => {
    const started = new Date(Date.now() - 50 * MIN);
    const incident = await declare(cast.commander, { title: 'Card payments fail', services: [service], startedAt: started.toISOString(), summary: 'Card payments failed.' });
    const firedAt = new Date(Date.now() - 55 * MIN);
    await ok(cast.admin.client.post('/api/alerts', { source: 'grafana', fingerprint: `fp-${incident.number}`, summary: 'Payments 5xx above 5%', service, startsAt: firedAt.toISOString() }));

    const record = (await get(`/api/incidents/${incident.ref}`)).incident;
    expect(record).toMatchObject({ startedAt: firedAt.toISOString(), detectedAt: firedAt.toISOString() });
    await closeIncident(incident.ref);
    const sections = await draftOf(incident.id);
    expect(sections.impact).toContain('- **Time to detect:** 0 s');
    expect(sections.detection).toMatch(/^Detected at .+ UTC, 0 s after impact started\.\n\nFirst alert: Alert .*Payments 5xx above 5%/);
    expect(await mttdOf(firedAt)).toMatchObject({ median: 0, measured: 1, notRecorded: 0 });
    expect(await gapOf(incident.ref, firedAt)).toBeUndefined();
  });

  it('a backfilled alert entry does not tell its own story: not recorded everywhere until the commander uses it, then the same figure everywhere', async () => {
    const service2 = `${service}-b`;
    const started = new Date(Date.now() - 80 * MIN);
    const incident = await declare(cast.commander, { title: 'Checkout slow', services: [service2], startedAt: started.toISOString(), summary: 'Checkout was slow.' });
    await ok(cast.responder.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' }));
    const pagedAt = new Date(started.getTime() + 35 * MIN);
    const entry = await ok(cast.responder.client.post(`/api/incidents/${incident.ref}/timeline`, { kind: 'alert', text: 'Pager went off for checkout latency', at: pagedAt.toISOString() }));
    expect((await get(`/api/incidents/${incident.ref}`)).incident.detectedAt).toBeNull();

    // The commander answers the war room's question by using the entry's time.
    await ok(cast.commander.client.request('PATCH', `/api/incidents/${incident.ref}`, { detectedAt: entry.entry.at }));
    await closeIncident(incident.ref);
    const figure = formatDuration(35 * MIN);
    const sections = await draftOf(incident.id);
    expect(sections.impact).toContain(`- **Time to detect:** ${figure}`);
    expect(sections.detection).toBe(`Detected at ${sections.impact.match(/- \*\*Detected:\*\* (.+)/)![1]}, ${figure} after impact started.\n\nFirst alert: Pager went off for checkout latency`);
    const metrics = await get(`/api/metrics?period=month&from=${day(started)}&to=${day(new Date())}&service=${service2}`);
    expect(metrics.totals.mttd).toMatchObject({ median: 35 * MIN, measured: 1 });
    expect((await gapOf(incident.ref, started))?.timeToDetect).toBe(35 * MIN);
  });

  it('with no detection time, Impact, Detection, /metrics and /patterns all say not recorded, whatever the timeline holds', async () => {
    const service3 = `${service}-c`;
    const started = new Date(Date.now() - 30 * MIN);
    const incident = await declare(cast.commander, { title: 'Search down', services: [service3], startedAt: started.toISOString(), summary: 'Search was down.' });
    await ok(cast.commander.client.post(`/api/incidents/${incident.ref}/timeline`, { kind: 'alert', text: 'Someone said search looked off', at: new Date(started.getTime() + 4 * MIN).toISOString() }));
    await closeIncident(incident.ref);
    const sections = await draftOf(incident.id);
    expect(sections.impact).toContain('- **Detected:** not recorded');
    expect(sections.detection).toBe('');
    const metrics = await get(`/api/metrics?period=month&from=${day(started)}&to=${day(new Date())}&service=${service3}`);
    expect(metrics.totals.mttd).toMatchObject({ median: null, measured: 0, notRecorded: 1 });
    expect((await gapOf(incident.ref, started))?.timeToDetect).toBeNull();
  });
});
