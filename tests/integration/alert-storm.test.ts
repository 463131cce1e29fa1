import type { WebsocketProvider } from 'y-websocket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTimeline } from '../../server/shared/war-room-doc.ts';
import { diskPressureNotification } from '../helpers/alertmanager.ts';
import { connectDoc, eventually } from '../helpers/collab.ts';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { declare, incidentCast, type Cast } from '../helpers/incidents.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const FINGERPRINTS = 20;
const DELIVERIES = 5000;
const CONCURRENCY = 8;

describe.each(backends)('alert storm (%s)', (backend) => {
  let db: TestDatabase;
  let server: TestServer;
  let cast: Cast;
  let provider: WebsocketProvider | undefined;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    server = await startTestServer(db);
    cast = await incidentCast(server);
  });
  afterAll(async () => {
    provider?.destroy();
    await server?.close();
    await db?.close();
  });

  // 5,000 real HTTP requests: on a busy 2-core box running other suites this can take over a minute.
  it(`${DELIVERIES} repeats of ${FINGERPRINTS} fingerprints make ${FINGERPRINTS} alerts and at most ${FINGERPRINTS} alert lines in the timeline`, { timeout: 300_000 }, async () => {
    const admin = cast.admin.client;
    expect((await admin.post('/api/admin/alert-rules', { name: 'checkout', matchers: [{ key: 'service', value: 'checkout' }], action: 'attach' })).status).toBe(201);
    const incident = await declare(cast.commander, { title: 'Checkout flapping', services: ['checkout'] });
    const startsAt = new Date(Date.now() - 60_000).toISOString();

    // Timing lives in `npm run bench -- alerts`; this test checks the outcome.
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < DELIVERIES) {
          const i = next++;
          const response = await admin.post('/api/alerts/alertmanager', diskPressureNotification(i % FINGERPRINTS, startsAt));
          if (response.status !== 200) throw new Error(`delivery ${i}: ${response.status} ${JSON.stringify(response.body)}`);
        }
      }),
    );

    const rows = await db.sql<{ count: number; incident_id: string }>`select count, incident_id from alerts where fingerprint like 'storm-%'`;
    expect(rows).toHaveLength(FINGERPRINTS);
    expect(rows.every((r) => r.incident_id === incident.id)).toBe(true);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(DELIVERIES);
    expect(new Set(rows.map((r) => r.count))).toEqual(new Set([DELIVERIES / FINGERPRINTS]));

    const { doc, provider: p } = await connectDoc(server, cast.commander.client, incident.docId);
    provider = p;
    await eventually(() => expect(readTimeline(doc).filter((e) => e.kind === 'alert' && e.id.startsWith('alert-'))).toHaveLength(FINGERPRINTS));
    // Besides the 20 alert lines, only the declaration, its acknowledgement and the first alert moving the times: repeats add nothing.
    expect(readTimeline(doc).filter((e) => !e.id.startsWith('alert-')).map((e) => e.text).sort()).toEqual([
      expect.stringMatching(/^An alert moved the start of impact \(.+\) and the detection time \(not recorded → .+\)$/),
      'Cora acknowledged the incident',
      'Cora declared a SEV2: Checkout flapping',
    ]);
    // One detected_at event at most, however many repeats.
    const events = await db.sql`select kind from incident_events where incident_id = ${incident.id} and kind = 'details'`;
    expect(events.length).toBeLessThanOrEqual(1);
  });
});
