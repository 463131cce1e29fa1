/**
 * Alert storm: Alertmanager re-sending 20 firing alerts 5,000 times in all
 * (8 deliveries in flight), attached by a rule to one open incident. Measures
 * what Alertmanager sees (per-delivery latency, deliveries/s) and checks the
 * outcome the seeds ask for: 20 alerts, 20 timeline lines, not 5,000.
 *
 *   npm run bench -- alerts [--deliveries 5000] [--fingerprints 20] [--concurrency 8]
 *
 * The real app on 127.0.0.1 (port 0) over in-memory PGlite, and over
 * PostgreSQL too when TEST_DATABASE_URL is set (a throwaway schema).
 */
import { parseArgs } from 'node:util';
import { readTimeline } from '../server/shared/war-room-doc.ts';
import { diskPressureNotification } from '../tests/helpers/alertmanager.ts';
import { backends, openTestDatabase, type Backend } from '../tests/helpers/database.ts';
import { startTestServer, withAdmin } from '../tests/helpers/server.ts';

const { values: args } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '5000' },
    fingerprints: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
  },
});
const DELIVERIES = Number(args.deliveries);
const FINGERPRINTS = Number(args.fingerprints);
const CONCURRENCY = Number(args.concurrency);
const DEADLINE_MS = 10 * 60_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function run(backend: Backend) {
  const db = await openTestDatabase(backend);
  const server = await startTestServer(db);
  try {
    const { admin } = await withAdmin(server);
    const rule = await admin.client.post('/api/admin/alert-rules', { name: 'checkout', matchers: [{ key: 'service', value: 'checkout' }], action: 'attach' });
    if (rule.status !== 201) throw new Error(`rule: ${rule.status} ${JSON.stringify(rule.body)}`);
    const declared = await admin.client.post('/api/incidents', { title: 'Checkout flapping', severity: 2, services: ['checkout'] });
    if (declared.status !== 201) throw new Error(`declare: ${declared.status} ${JSON.stringify(declared.body)}`);
    const incident = declared.body.incident;
    const startsAt = new Date(Date.now() - 60_000).toISOString();

    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < DELIVERIES && performance.now() - started < DEADLINE_MS) {
          const i = next++;
          const t0 = performance.now();
          const response = await admin.client.post('/api/alerts/alertmanager', diskPressureNotification(i % FINGERPRINTS, startsAt));
          latencies.push(performance.now() - t0);
          if (response.status !== 200) throw new Error(`delivery ${i}: ${response.status} ${JSON.stringify(response.body)}`);
        }
      }),
    );
    const totalMs = performance.now() - started;
    latencies.sort((a, b) => a - b);

    const [{ alerts }] = await db.sql<{ alerts: number }>`select count(*)::int as alerts from alerts`;
    let alertLines = 0;
    await server.collab.changeDocument(incident.docId, null, (doc) => {
      alertLines = readTimeline(doc).filter((e) => e.id.startsWith('alert-')).length;
    });
    return {
      backend,
      deliveries: latencies.length,
      totalS: (totalMs / 1000).toFixed(1),
      perSecond: Math.round(latencies.length / (totalMs / 1000)),
      p50: percentile(latencies, 50).toFixed(1),
      p99: percentile(latencies, 99).toFixed(1),
      max: latencies.at(-1)!.toFixed(1),
      alerts,
      alertLines,
    };
  } finally {
    await server.close();
    await db.close();
  }
}

console.log(`alert storm: ${DELIVERIES} deliveries of ${FINGERPRINTS} fingerprints, ${CONCURRENCY} in flight`);
console.log('| backend | deliveries | total s | deliveries/s | p50 ms | p99 ms | max ms | alerts | alert lines in timeline |');
console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
for (const backend of backends) {
  const r = await run(backend);
  console.log(`| ${r.backend} | ${r.deliveries} | ${r.totalS} | ${r.perSecond} | ${r.p50} | ${r.p99} | ${r.max} | ${r.alerts} | ${r.alertLines} |`);
}
