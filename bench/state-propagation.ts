/**
 * `npm run bench -- states [--rounds 20] [--observers 3]`: how long each state
 * change takes from the commander's request until every other open war room
 * has it (the document's meta.rev moved, which is what makes a war room
 * refetch the incident), per state. Resolve was reported several times slower
 * than the other changes; this keeps the comparison one command away.
 * DATABASE_URL=… runs it on PostgreSQL (a fresh schema, dropped afterwards).
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openDatabase, type Database } from '../server/db/database.ts';
import { migrate } from '../server/db/migrate.ts';
import { meta } from '../server/shared/war-room-doc.ts';
import { connectProvider, type TestProvider } from '../tests/helpers/collab.ts';
import { startTestServer, withAdmin } from '../tests/helpers/server.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, observers: { type: 'string', default: '3' } } });
const ROUNDS = Number(values.rounds);
const OBSERVERS = Number(values.observers);
const STATES = ['identified', 'monitoring', 'resolved', 'closed'] as const;

async function database(): Promise<{ db: Database; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { db: await openDatabase({}), drop: async () => {} };
  const schema = `bench_states_${Date.now().toString(36)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema ${schema}`);
  return {
    db: await openDatabase({ url, schema }),
    drop: async () => {
      await admin.unsafe(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}

/** Resolves when meta.rev of the document differs from `before`; bounded. */
function revChanged(provider: TestProvider, before: number | undefined, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const map = meta(provider.doc);
    const timer = setTimeout(() => reject(new Error(`meta.rev did not move within ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      if (map.get('rev') === before) return;
      clearTimeout(timer);
      map.unobserve(check);
      resolve();
    };
    map.observe(check);
    check();
  });
}

const { db, drop } = await database();
await migrate(db.sql);
const server = await startTestServer(db);
const { admin, member } = await withAdmin(server);
const observers = await Promise.all(Array.from({ length: OBSERVERS }, (_, i) => member(`Observer ${i + 1}`)));
const seen: Record<string, number[]> = Object.fromEntries(STATES.map((s) => [s, []]));
const answered: Record<string, number[]> = Object.fromEntries(STATES.map((s) => [s, []]));

try {
  for (let round = 0; round < ROUNDS; round++) {
    const declared = await admin.client.post('/api/incidents', { title: `Bench ${round}`, severity: 2, services: ['checkout'] });
    const incident = declared.body.incident as { ref: string; docId: string };
    const providers: TestProvider[] = [];
    for (const person of observers) {
      await person.client.post(`/api/incidents/${incident.ref}/join`, { as: 'responder' });
      const provider = connectProvider(server.url, incident.docId, person.client.cookie);
      await provider.synced();
      providers.push(provider);
    }
    for (const state of STATES) {
      const waits = providers.map((p) => revChanged(p, meta(p.doc).get('rev')));
      const t0 = performance.now();
      const response = await admin.client.post(`/api/incidents/${incident.ref}/state`, { state });
      if (response.status !== 200) throw new Error(`${state}: ${response.status} ${JSON.stringify(response.body)}`);
      answered[state].push(performance.now() - t0);
      await Promise.all(waits);
      seen[state].push(performance.now() - t0);
    }
    for (const provider of providers) provider.destroy();
  }
} finally {
  await server.close();
  await db.close();
  await drop();
}

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * values.length) - 1)];
console.log(`${ROUNDS} rounds, ${OBSERVERS} other war rooms open, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`);
console.log('state        answered p50   seen by all p50   p90    max   (ms)');
for (const state of STATES) {
  const line = [
    state.padEnd(12),
    pct(answered[state], 50).toFixed(1).padStart(12),
    pct(seen[state], 50).toFixed(1).padStart(17),
    pct(seen[state], 90).toFixed(1).padStart(7),
    Math.max(...seen[state]).toFixed(1).padStart(6),
  ];
  console.log(line.join(''));
}
