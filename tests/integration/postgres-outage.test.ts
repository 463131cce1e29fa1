/**
 * PostgreSQL restarting or stopping under a live war room, on a cluster this
 * test starts on its own port. While it is down, /readyz and websocket
 * upgrades answer 503 within their deadlines; clients keep what they type;
 * once it is back, every client reconnects and converges, and nothing typed
 * is lost. The time from the database's return to convergence is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectProvider, newDocument, upgradeStatus, waitFor, wsUrl, type TestProvider } from '../helpers/collab.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { clusterAvailable, PgCluster } from '../helpers/pg-cluster.ts';
import { startTestServer, withAdmin, type TestServer } from '../helpers/server.ts';

const PORT = Number(process.env.FAULT_PG_PORT ?? 5450);

describe.skipIf(!clusterAvailable)('a PostgreSQL outage under a live war room', () => {
  let cluster: PgCluster;
  let db: Database;
  let server: TestServer;
  let cookie: string;
  const providers: TestProvider[] = [];

  beforeAll(async () => {
    cluster = new PgCluster(PORT);
    cluster.start();
    db = await openDatabase({ url: cluster.url });
    await migrate(db.sql);
    server = await startTestServer(db);
    cookie = (await withAdmin(server)).admin.client.cookie!;
  });
  afterAll(async () => {
    for (const p of providers) p.destroy();
    await server?.close();
    await db?.close();
    cluster?.destroy();
  });

  /** Three people typing a line every 50 ms into one document; `typed` is everything they typed. */
  async function typingRoom() {
    const docId = await newDocument(db.sql);
    const people = [0, 1, 2].map(() => {
      const p = connectProvider(server.url, docId, cookie);
      providers.push(p);
      return p;
    });
    await Promise.all(people.map((p) => p.synced()));
    const typed: string[] = [];
    let n = 0;
    const timer = setInterval(() => {
      for (const [i, p] of people.entries()) {
        const line = `${i}-${n}`;
        p.doc.getArray<string>('timeline').push([line]);
        typed.push(line);
      }
      n++;
    }, 50);
    return { docId, people, typed, stop: () => clearInterval(timer) };
  }

  async function expectConverged(docId: string, people: TestProvider[], typed: string[], since: number, what: string) {
    await waitFor(
      () => {
        const room = server.collab.loadedRoom(docId);
        if (!room || !people.every((p) => p.provider.synced)) return false;
        const everywhere = [room.doc, ...people.map((p) => p.doc)].map((doc) => new Set(doc.getArray<string>('timeline').toArray()));
        return typed.every((line) => everywhere.every((lines) => lines.has(line)));
      },
      `every client to converge after ${what}`,
      30_000,
    );
    const room = server.collab.loadedRoom(docId)!;
    await room.flush();
    const stored = await db.sql<{ n: number }>`select count(*)::int as n from document_updates where doc_id = ${docId}`;
    expect(stored[0].n).toBeGreaterThan(0);
    console.log(`[postgres outage] ${what}: converged ${Math.round(performance.now() - since)} ms after PostgreSQL was back, ${typed.length} lines typed, none lost`);
  }

  it('a restart during editing: clients are closed, come back and lose nothing', { timeout: 90_000 }, async () => {
    const { docId, people, typed, stop } = await typingRoom();
    await waitFor(() => typed.length > 30, 'some typing');
    cluster.restart();
    const back = performance.now();
    await waitFor(() => typed.length > 120, 'typing after the restart');
    stop();
    await expectConverged(docId, people, typed, back, 'a restart');
  });

  it('an immediate stop: /readyz and upgrades answer 503 throughout, and everyone converges once it is back', { timeout: 120_000 }, async () => {
    const { docId, people, typed, stop } = await typingRoom();
    await waitFor(() => typed.length > 30, 'some typing');
    cluster.stopImmediately();
    const readiness: { status: number; ms: number }[] = [];
    const upgrades: number[] = [];
    const outageEnds = performance.now() + 5000;
    while (performance.now() < outageEnds) {
      const asked = performance.now();
      const response = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
      readiness.push({ status: response.status, ms: performance.now() - asked });
      expect(response.headers.get('retry-after')).not.toBeNull();
      upgrades.push((await upgradeStatus(`${wsUrl(server.url)}/${docId}`, { origin: server.url, cookie })).status);
    }
    expect(new Set(readiness.map((r) => r.status))).toEqual(new Set([503]));
    expect(new Set(upgrades)).toEqual(new Set([503]));
    console.log(`[postgres outage] while down: ${readiness.length} readiness checks, slowest ${Math.round(Math.max(...readiness.map((r) => r.ms)))} ms`);
    cluster.start();
    const back = performance.now();
    await waitFor(() => typed.length > 300, 'typing after the outage');
    stop();
    // Ready again once the pool has reconnected; how soon is the benchmark's to measure, not this test's.
    await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 200, 'readiness after the outage', 30_000);
    await expectConverged(docId, people, typed, back, 'an immediate stop');
  });
});
