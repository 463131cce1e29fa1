/**
 * Several Warroom processes sharing one PostgreSQL schema and one Redis, in
 * this test process: each has its own database pool, its own Redis clients
 * and its own HTTP server on 127.0.0.1, exactly what separate processes have
 * (nothing is shared in memory between them).
 */
import { ClusterNode, type ClusterNodeOptions } from '../../server/cluster/cluster-node.ts';
import { openDatabase, type Database } from '../../server/db/database.ts';
import { createLogger } from '../../server/log.ts';
import type { TestDatabase } from './database.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './server.ts';

export const clusterSkipReason =
  !process.env.TEST_REDIS_URL || !process.env.TEST_DATABASE_URL
    ? 'skipped: cluster tests need TEST_REDIS_URL and TEST_DATABASE_URL (.ci/run sets both)'
    : null;

export interface TestNode {
  name: string;
  server: TestServer;
  node: ClusterNode;
  db: Database;
  close(): Promise<void>;
}

let counter = 0;

/** A prefix of Redis channels and keys no other test (or helper) uses. */
export const uniquePrefix = () => `test-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export async function startNode(
  shared: TestDatabase,
  options: { prefix: string; redisUrl?: string; name?: string; node?: Partial<ClusterNodeOptions>; server?: TestServerOptions },
): Promise<TestNode> {
  const name = options.name ?? `node-${++counter}`;
  const db = await openDatabase({ url: shared.url, schema: shared.schema });
  const log = createLogger((process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent');
  const node = new ClusterNode({
    sql: db.sql,
    redisUrl: options.redisUrl ?? process.env.TEST_REDIS_URL!,
    prefix: options.prefix,
    nodeId: name,
    log,
    ...options.node,
  });
  // The app assembly wires the node in (shared documents, store, login counters), as in production.
  const server = await startTestServer(db, { ...options.server, cluster: node });
  await node.start(server.collab);
  let closed = false;
  return {
    name,
    server,
    node,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await node.close();
      await db.close();
    },
  };
}
