/**
 * The application assembled once: the live-document server with Warroom's
 * policy, time travel, the HTTP app and the websocket upgrade. `main.ts`, the
 * dev server, the test server and the crash-test child all start from here,
 * so they run the same wiring and differ only in the options they pass.
 */
import { createApp } from '../app.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { CollabServer, type CollabOptions } from '../collab/collab-server.ts';
import { createCollabUpgrade, type CollabUpgrade } from '../collab/upgrade.ts';
import { documentCommands, liveDocuments } from './live-documents.ts';
import type { Config } from '../config.ts';
import type { ClusterNode } from '../cluster/cluster-node.ts';
import type { Sql } from '../db/sql.ts';
import type { PagesHandler } from '../http/pages.ts';
import type { Logger } from '../log.ts';
import { ReplayService } from '../replay/service.ts';
import { authenticateBySession, documentPolicy } from './document-policy.ts';

export interface ServicesOptions {
  sql: Sql;
  config: Config;
  log: Logger;
  /** The built SvelteKit handler; without it only the API, health and /collab are served. */
  pages?: PagesHandler;
  /** Login attempts per address and email per minute. */
  loginLimit?: number;
  /** This process's part in a cluster (REDIS_URL set): live documents, access changes and login counters are shared. */
  cluster?: ClusterNode | null;
  /** Overrides of the collaboration server's options (tests inject policies and thresholds). */
  collab?: Partial<Omit<CollabOptions, 'sql' | 'config' | 'log'>>;
  pingIntervalMs?: number;
  keepaliveMs?: number;
}

export function createServices(options: ServicesOptions) {
  const { sql, config, log } = options;
  const { cluster } = options;
  const shared = cluster ? { peers: cluster, store: cluster.store } : {};
  const collab = new CollabServer({ sql, config, log, ...documentPolicy(sql), commands: documentCommands, ...shared, ...options.collab });
  const replay = new ReplayService({ sql, log, idleMs: config.replayIdleMs });
  const loginWindow = { limit: options.loginLimit ?? 10, windowMs: 60_000 };
  const loginLimiter = cluster ? cluster.loginLimiter(loginWindow) : new RateLimiter(loginWindow);
  const live = liveDocuments(collab);
  const app = createApp({ sql, config, log, loginLimiter, live, replay, cluster: cluster ?? undefined }, options.pages);
  const onUpgrade: CollabUpgrade = createCollabUpgrade({ collab, authenticate: authenticateBySession(sql), config, log, pingIntervalMs: options.pingIntervalMs, keepaliveMs: options.keepaliveMs });
  return { app, collab, live, replay, onUpgrade };
}
