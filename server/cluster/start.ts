/** Cluster mode from the configuration: a node when REDIS_URL is set, null for one process. */
import { hostname } from 'node:os';
import type { Config } from '../config.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../log.ts';
import { ClusterNode } from './cluster-node.ts';

export function startClusterNode({ sql, config, log }: { sql: Sql; config: Config; log: Logger }): ClusterNode | null {
  if (!config.redisUrl) return null;
  const nodeId = config.nodeName ?? `${hostname()}:${config.port}:${process.pid}`;
  log.info({ node: nodeId, prefix: config.redisPrefix }, 'cluster mode: live documents are shared with the other processes through Redis');
  return new ClusterNode({ sql, redisUrl: config.redisUrl, prefix: config.redisPrefix, nodeId, log });
}
