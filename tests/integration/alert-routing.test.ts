import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebsocketProvider } from 'y-websocket';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readTimeline } from '../../server/shared/war-room-doc.ts';
import { connectDoc, eventually } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestClient, type TestServer } from '../helpers/server.ts';

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/alertmanager', name), 'utf8'));

/** A one-alert Alertmanager group, with the fields a real one carries. */
function amPayload(alerts: { fingerprint: string; labels: Record<string, string>; status?: 'firing' | 'resolved'; startsAt?: string; summary?: string }[], groupKey = '{}:{alertname="Test"}') {
  return {
    version: '4',
    receiver: 'warroom',
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    groupKey,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    truncatedAlerts: 0,
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { alertname: 'Test', ...a.labels },
      annotations: { summary: a.summary ?? 'Something is wrong' },
      startsAt: a.startsAt ?? new Date(Date.now() - 120_000).toISOString(),
      endsAt: a.status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
      fingerprint: a.fingerprint,
    })),
  };
}

describe.each(backends)('alert ingestion and routing (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  const providers: WebsocketProvider[] = [];
  let run = 0;
  // Each test gets its own fingerprints and services, so tests share the server but not data.
  let tag = '';

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  beforeEach(async () => {
    tag = `t${++run}${Math.random().toString(36).slice(2, 6)}`;
    await db.sql`delete from alert_rules`;
  });
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.destroy();
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const admin = () => cast.admin.client;
  const rule = async (body: Record<string, unknown>) => {
    const response = await admin().post('/api/admin/alert-rules', { name: 'rule', ...body });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.rule;
  };
  const postAm = (client: TestClient, payload: unknown) => client.post('/api/alerts/alertmanager', payload);
  async function timelineOf(docId: string) {
    const { doc, provider } = await connectDoc(server, cast.admin.client, docId);
    providers.push(provider);
    return doc;
  }
  const alertRows = (fingerprintPrefix: string) =>
    db.sql<{ fingerprint: string; status: string; count: number; incident_id: string | null; resolved_at: Date | null }>`
      select fingerprint, status, count, incident_id, resolved_at from alerts where fingerprint like ${fingerprintPrefix + '%'} order by fingerprint`;

  it('lets only admins (or alerts:write tokens) post, and says what is wrong with a payload', async () => {
    const payload = amPayload([{ fingerprint: `${tag}-a`, labels: {} }]);
    expect((await postAm(cast.anonymous, payload)).status).toBe(401);
    const member = await postAm(cast.commander.client, payload);
    expect(member.status).toBe(403);
    expect(member.body.error.message).toMatch(/API token with the alerts:write scope/);

    const bad = await postAm(admin(), { ...payload, alerts: [{ ...payload.alerts[0], startsAt: 'yesterday' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_input', field: 'alerts.0.startsAt' });
    const generic = await admin().post('/api/alerts', { source: 'cron', summary: 'x' });
    expect(generic.body.error).toMatchObject({ code: 'invalid_input', field: 'fingerprint' });
    const text = await admin().request('POST', '/api/alerts/alertmanager', undefined, { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);

    // Just over a mebibyte: refused before it is parsed.
    const huge = amPayload([{ fingerprint: `${tag}-huge`, labels: {}, summary: 'x'.repeat(1024 * 1024) }]);
    const tooBig = await postAm(admin(), huge);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('payload_too_large');
    expect(await alertRows(`${tag}-`)).toEqual([]);
  });

  it('accepts a service token with alerts:write and refuses one without it', async () => {
    const token = async (scopes: string[]) => {
      const created = await admin().post('/api/admin/tokens', { name: `alertmanager ${scopes.join(' ')}`, scopes });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.token as string;
    };
    const machine = server.client();
    const post = (bearer: string, body: unknown) => machine.request('POST', '/api/alerts/alertmanager', body, { authorization: `Bearer ${bearer}` });
    const payload = amPayload([{ fingerprint: `${tag}-token`, labels: {} }]);
    const accepted = await post(await token(['alerts:write']), payload);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ received: 1, created: 1, inbox: 1 });
    const refused = await post(await token(['incidents:read']), payload);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('insufficient_scope');
    expect((await alertRows(`${tag}-token`))[0].count).toBe(1);
  });

  it('deduplicates by fingerprint: repeats count, resolved closes, firing again re-opens the same alert', async () => {
    const fp = `${tag}-dedup`;
    const first = await postAm(admin(), amPayload([{ fingerprint: fp, labels: {} }]));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: 1, created: 1, updated: 0, attached: 0, declared: 0, inbox: 1, incidents: [] });
    for (let i = 0; i < 3; i++) {
      expect((await postAm(admin(), amPayload([{ fingerprint: fp, labels: {} }]))).body).toMatchObject({ created: 0, updated: 1, inbox: 0 });
    }
    let inbox = (await cast.responder.client.get('/api/alerts')).body.alerts.filter((a: { fingerprint: string }) => a.fingerprint === fp);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ status: 'firing', count: 4, name: 'Test', summary: 'Something is wrong', incidentRef: null });
    expect(new Date(inbox[0].lastSeenAt).getTime()).toBeGreaterThan(new Date(inbox[0].firstSeenAt).getTime());

    await postAm(admin(), amPayload([{ fingerprint: fp, labels: {}, status: 'resolved' }]));
    expect(await alertRows(fp)).toEqual([expect.objectContaining({ status: 'resolved', count: 4, resolved_at: expect.any(Date) })]);
    inbox = (await cast.responder.client.get('/api/alerts')).body.alerts.filter((a: { fingerprint: string }) => a.fingerprint === fp);
    expect(inbox).toEqual([]);

    const again = await postAm(admin(), amPayload([{ fingerprint: fp, labels: {} }]));
    expect(again.body).toMatchObject({ created: 0, updated: 1, inbox: 1 });
    expect(await alertRows(fp)).toEqual([expect.objectContaining({ status: 'firing', count: 5, resolved_at: null })]);

    // The same fingerprint from another source is another alert.
    const generic = await admin().post('/api/alerts', { source: 'cron', fingerprint: fp, summary: 'Backup job failed' });
    expect(generic.body).toMatchObject({ created: 1 });
    expect(await alertRows(fp)).toHaveLength(2);
  });

  it('attaches to the newest open incident on the service, one timeline entry per alert, and moves detected_at earlier', async () => {
    const service = `svc-${tag}`;
    await rule({ matchers: [{ key: 'severity', value: 'critical' }, { key: 'service', value: service }], action: 'attach' });
    const older = await declare(cast.commander, { title: 'Older', services: [service] });
    const incident = await declare(cast.commander, { title: 'Checkout errors', services: [service] });
    const closed = await declare(cast.commander, { title: 'Resolved one', services: [service] });
    expect((await cast.commander.client.post(`/api/incidents/${closed.ref}/state`, { state: 'resolved' })).status).toBe(200);
    // Drills never collect real alerts, however recent.
    const drill = await declare(cast.commander, { title: 'Game day', services: [service], drill: true });

    const startsAt = new Date(Date.now() - 600_000).toISOString();
    const labels = { severity: 'critical', service };
    const body = amPayload([{ fingerprint: `${tag}-1`, labels, startsAt, summary: 'p99 latency over 2s' }, { fingerprint: `${tag}-2`, labels: { ...labels, instance: 'b' } }]);
    const delivered = await postAm(admin(), body);
    expect(delivered.body).toMatchObject({ created: 2, attached: 2, declared: 0, inbox: 0, incidents: [incident.ref] });
    for (let i = 0; i < 5; i++) expect((await postAm(admin(), body)).body).toMatchObject({ updated: 2, attached: 0 });

    const alerts = (await cast.commander.client.get(`/api/incidents/${incident.ref}/alerts`)).body.alerts;
    expect(alerts.map((a: { fingerprint: string; count: number; incidentRef: string }) => [a.fingerprint, a.count, a.incidentRef])).toEqual([
      [`${tag}-1`, 6, incident.ref],
      [`${tag}-2`, 6, incident.ref],
    ]);
    expect(alerts[0].url).toBe('http://prometheus:9090/graph?g0.expr=up');
    for (const other of [older, closed, drill]) expect((await cast.commander.client.get(`/api/incidents/${other.ref}/alerts`)).body.alerts).toEqual([]);

    const doc = await timelineOf(incident.docId);
    await eventually(() => expect(readTimeline(doc).filter((e) => e.id.startsWith('alert-'))).toHaveLength(2));
    const entries = readTimeline(doc).filter((e) => e.id.startsWith('alert-'));
    expect(entries[0]).toMatchObject({ kind: 'alert', auto: true, author: null, at: startsAt, text: 'Alert Test: p99 latency over 2s (source: http://prometheus:9090/graph?g0.expr=up)' });

    // The alert fired before the incident was declared (and before its recorded start): it moved both.
    const view = (await cast.commander.client.get(`/api/incidents/${incident.ref}`)).body.incident;
    expect(view.detectedAt).toBe(startsAt);
    expect(view.startedAt).toBe(startsAt);
    const events = (await cast.commander.client.get(`/api/incidents/${incident.ref}/events`)).body.events;
    expect(events.at(-1)).toMatchObject({ kind: 'details', message: expect.stringMatching(/^An alert moved the start of impact \(.+ → .+\) and the detection time \(not recorded → .+\)$/) });
    expect(events.filter((e: { kind: string }) => e.kind === 'details')).toHaveLength(1);

    // Nothing open on another service: the attach rule leaves it in the inbox.
    const stray = await postAm(admin(), amPayload([{ fingerprint: `${tag}-3`, labels: { severity: 'critical', service: `${service}-none` } }]));
    expect(stray.body).toMatchObject({ attached: 0, inbox: 1 });
  });

  it('auto-declares exactly one incident for a group under concurrent deliveries, with the alert start as start and detection', async () => {
    const service = `pay-${tag}`;
    await rule({ matchers: [{ key: 'service', value: service }], action: 'inbox' });
    const declareRule = await rule({ matchers: [{ key: 'severity', value: 'critical' }], action: 'declare', severity: 1 });
    // Order matters: move the declare rule first.
    const reordered = await admin().post('/api/admin/alert-rules/reorder', { ids: [declareRule.id, ...(await admin().get('/api/admin/alert-rules')).body.rules.filter((r: { id: string }) => r.id !== declareRule.id).map((r: { id: string }) => r.id)] });
    expect(reordered.status).toBe(200);

    const startsAt = new Date(Date.now() - 300_000).toISOString();
    const group = `{}:{service="${service}"}`;
    const labels = { severity: 'critical', service, alertname: 'HighErrorRate' };
    // 12 deliveries at once: each carries the group's alerts in a different order, as repeats and new members race.
    const deliveries = Array.from({ length: 12 }, (_, i) => {
      const alerts = [
        { fingerprint: `${tag}-a`, labels: { ...labels, instance: 'a' }, startsAt, summary: 'Payments 5xx above 5%' },
        { fingerprint: `${tag}-b`, labels: { ...labels, instance: 'b' }, startsAt, summary: 'Payments 5xx above 5%' },
        { fingerprint: `${tag}-${i % 3}`, labels: { ...labels, instance: `c${i % 3}` }, startsAt, summary: 'Payments 5xx above 5%' },
      ];
      return postAm(admin(), amPayload(i % 2 ? alerts.reverse() : alerts, group));
    });
    const results = await Promise.all(deliveries);
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(results.reduce((n, r) => n + r.body.declared, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.body.created, 0)).toBe(5);
    expect(results.reduce((n, r) => n + r.body.declared + r.body.attached, 0)).toBe(5);

    const incidents = await db.sql<{ id: string; number: number; severity: number; services: string[]; title: string; doc_id: string; started_at: Date; detected_at: Date }>`
      select id, number, severity, services, title, doc_id, started_at, detected_at from incidents where ${service} = any(services)`;
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident).toMatchObject({ severity: 1, services: [service], title: 'Payments 5xx above 5%' });
    expect(incident.started_at.toISOString()).toBe(startsAt);
    expect(incident.detected_at.toISOString()).toBe(startsAt);
    const rows = await alertRows(`${tag}-`);
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.incident_id === incident.id)).toBe(true);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(36);

    // Declared like a person would: the poster commands, the war room has the declaration and one line per alert.
    const view = (await admin().get(`/api/incidents/INC-${incident.number}`)).body.incident;
    expect(view.roles.commander.id).toBe(cast.admin.user.id);
    const doc = await timelineOf(incident.doc_id);
    await eventually(() => expect(readTimeline(doc).filter((e) => e.id.startsWith('alert-'))).toHaveLength(5));
    expect(readTimeline(doc).filter((e) => !e.id.startsWith('alert-')).map((e) => e.text)).toEqual(['Admin declared a SEV1: Payments 5xx above 5%']);

    // Once that incident is resolved, the group firing again opens a new one.
    expect((await admin().post(`/api/incidents/INC-${incident.number}/state`, { state: 'resolved' })).status).toBe(200);
    const later = await postAm(admin(), amPayload([{ fingerprint: `${tag}-new`, labels, summary: 'Payments 5xx again' }], group));
    expect(later.body).toMatchObject({ declared: 1 });
    const [next] = later.body.incidents;
    expect(next).not.toBe(`INC-${incident.number}`);

    // An alert of the old incident that resolves and fires again joins the new one; the old incident still lists it.
    await postAm(admin(), amPayload([{ fingerprint: `${tag}-a`, labels: { ...labels, instance: 'a' }, status: 'resolved' }], group));
    const refired = await postAm(admin(), amPayload([{ fingerprint: `${tag}-a`, labels: { ...labels, instance: 'a' } }], group));
    expect(refired.body).toMatchObject({ created: 0, updated: 1, attached: 1, incidents: [next] });
    const fingerprints = async (ref: string) => (await admin().get(`/api/incidents/${ref}/alerts`)).body.alerts.map((a: { fingerprint: string }) => a.fingerprint).sort();
    expect(await fingerprints(next)).toEqual([`${tag}-a`, `${tag}-new`].sort());
    expect(await fingerprints(`INC-${incident.number}`)).toHaveLength(5);
    // Repeats while it stays in the new incident do not move it again.
    expect((await postAm(admin(), amPayload([{ fingerprint: `${tag}-a`, labels: { ...labels, instance: 'a' } }], group))).body).toMatchObject({ attached: 0, declared: 0 });
  });

  it('keeps unmatched alerts in an inbox any member can declare from, once', async () => {
    const fp = `${tag}-inbox`;
    await admin().post('/api/alerts', { source: 'grafana', fingerprint: fp, summary: 'Disk 95% full on db1', severity: 'warning', service: 'orders-db', url: 'https://grafana.example.com/d/1' });
    const inbox = (await cast.responder.client.get('/api/alerts')).body.alerts;
    const alert = inbox.find((a: { fingerprint: string }) => a.fingerprint === fp);
    expect(alert).toMatchObject({ source: 'grafana', summary: 'Disk 95% full on db1', severity: 'warning', service: 'orders-db', count: 1, labels: { source: 'grafana', severity: 'warning', service: 'orders-db' } });
    expect((await cast.anonymous.get('/api/alerts')).status).toBe(401);

    expect((await cast.responder.client.post(`/api/alerts/${alert.id}/declare`, { severity: 9 })).body.error.field).toBe('severity');
    const declared = await cast.responder.client.post(`/api/alerts/${alert.id}/declare`, { severity: 3, private: true });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const ref = declared.body.incident.ref;
    const again = await cast.responder.client.post(`/api/alerts/${alert.id}/declare`, { severity: 3 });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(ref);
    // Someone outside the private incident is not told it exists.
    expect((await cast.commander.client.post(`/api/alerts/${alert.id}/declare`, { severity: 3 })).status).toBe(404);
    expect((await cast.responder.client.get('/api/alerts')).body.alerts.some((a: { id: string }) => a.id === alert.id)).toBe(false);
    expect((await cast.commander.client.post('/api/alerts/nosuchalert/declare', { severity: 3 })).status).toBe(404);

    const incident = (await cast.responder.client.get(`/api/incidents/${ref}`)).body.incident;
    expect(incident).toMatchObject({ title: 'Disk 95% full on db1', severity: 3, services: ['orders-db'], private: true, roles: { commander: { id: cast.responder.user.id } } });
    // The alerts of a private incident are as private as the incident.
    expect((await cast.responder.client.get(`/api/incidents/${ref}/alerts`)).body.alerts).toHaveLength(1);
    expect((await cast.outsider.client.get(`/api/incidents/${ref}/alerts`)).status).toBe(404);
    expect((await cast.admin.client.get(`/api/incidents/${ref}/alerts`)).status).toBe(200);
    expect((await cast.anonymous.get(`/api/incidents/${ref}/alerts`)).status).toBe(401);
  });

  it('ingests the real-world Alertmanager samples', async () => {
    // The fixtures share fingerprints with nothing else in this file.
    const firing = await postAm(admin(), fixture('firing-group.json'));
    expect(firing.body).toMatchObject({ received: 2 });
    const resolved = await postAm(admin(), fixture('resolved.json'));
    expect(resolved.body).toMatchObject({ received: 1, created: 0, updated: 1 });
    const mixed = await postAm(admin(), fixture('mixed-no-fingerprint.json'));
    expect(mixed.body).toMatchObject({ received: 2, created: 2, inbox: 1 });
    const rows = await db.sql<{ fingerprint: string; status: string }>`select fingerprint, status from alerts where fingerprint in ('4a1e0c3d9b8f7a21', '9c07b5e2a4d31f68') order by fingerprint`;
    expect(rows).toEqual([{ fingerprint: '4a1e0c3d9b8f7a21', status: 'resolved' }, { fingerprint: '9c07b5e2a4d31f68', status: 'firing' }]);
  });
});
