import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SessionPurge } from './auth/session-purge.ts';
import { WebhookWorker } from './comms/webhooks/worker.ts';
import { seedShippedScenarios } from './drills/scenario-commands.ts';
import { DrillScheduler } from './drills/scheduler.ts';
import { createLiveMirror } from './incidents/live.ts';
import { ConfigError, parseConfig } from './config.ts';
import { DataDirLocked } from './db/data-dir-lock.ts';
import { openDatabase, type Database } from './db/database.ts';
import { startClusterNode } from './cluster/start.ts';
import { migrate } from './db/migrate.ts';
import { renderMissingVersionHtml } from './postmortem/version-html.ts';
import { refreshSearchBehindVersions } from './search/refresh.ts';
import { discardAbandonedStagedVersions } from './postmortem/version-staging.ts';
import type { PagesHandler } from './http/pages.ts';
import { startServer } from './http-server.ts';
import { createLogger } from './log.ts';
import { lowerGarbageCollectionHelpersPriority } from './threads/background-priority.ts';
import { createServices } from './wiring/services.ts';
import { warmUpWebsocketPath } from './wiring/document-policy.ts';

const started = performance.now();
let config;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`warroom: configuration error: ${error.message}`);
  process.exit(1);
}
const log = createLogger(config.logLevel);
// Below the event loop and above the worker threads whose large heaps they mostly collect (see background-priority.ts).
lowerGarbageCollectionHelpersPriority();

const handlerPath = join(import.meta.dirname, '..', 'build', 'handler.js');
if (!existsSync(handlerPath)) {
  log.fatal(`the web app is not built (${handlerPath} is missing): run "npm run build" first, or use "npm start"`);
  process.exit(1);
}

let db: Database;
try {
  db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
} catch (error) {
  if (!(error instanceof DataDirLocked)) throw error;
  log.fatal(error.message);
  process.exit(1);
}
log.info({ database: db.kind, location: db.location }, db.kind === 'pglite' ? `embedded PostgreSQL (PGlite) keeps its data in ${db.location}` : `using PostgreSQL at ${db.location}`);
const applied = await migrate(db.sql);
if (applied.length > 0) log.info({ applied }, 'migrations applied');
await renderMissingVersionHtml(db.sql, log);
const behind = await refreshSearchBehindVersions(db.sql);
if (behind > 0) log.info({ incidents: behind }, 'indexed published postmortems that were not in search yet');
const abandoned = await discardAbandonedStagedVersions(db.sql);
if (abandoned > 0) log.info({ publications: abandoned }, 'removed the texts of postmortem publications a stop interrupted');
const scenarios = await seedShippedScenarios(db.sql);
if (scenarios.length > 0) log.info({ scenarios }, 'drill scenarios added to the library');

const { handler: pages } = (await import(pathToFileURL(handlerPath).href)) as { handler: PagesHandler };
const cluster = startClusterNode({ sql: db.sql, config, log });
const { app, collab, live, replay, onUpgrade } = createServices({ sql: db.sql, config, log, pages, cluster });
await cluster?.start(collab);
// The first clients after a restart should not wait for cold query plans and code (see collab/warm-up.ts).
await Promise.all([warmUpWebsocketPath(db.sql, collab), onUpgrade.warmUp()]).catch((error: unknown) =>
  log.warn({ err: error }, 'warming up the websocket path failed; the first connections will be slower'),
);
const running = await startServer({ app, port: config.port, host: config.host, log, onUpgrade });
const webhooks = new WebhookWorker({ sql: db.sql, log });
webhooks.start();
const sessionPurge = new SessionPurge({ sql: db.sql, log });
sessionPurge.start();
const drills = new DrillScheduler({ sql: db.sql, mirror: createLiveMirror(live, log), docs: live, log });
drills.start();
log.info({ url: running.url, startupMs: Math.round(performance.now() - started) }, `Warroom is listening on ${running.url}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down: finishing in-flight requests');
  try {
    // Sends in flight finish (each bounded by its timeout) while the rest shuts down; their outcome needs the database.
    // New connections go to the other processes (the load balancer sees the port closed) while this one drains.
    running.stopAccepting();
    const webhooksStopped = webhooks.stop();
    await sessionPurge.stop();
    await drills.stop();
    // Live documents first: their pending commits need the database.
    await collab.close();
    await cluster?.close();
    await running.close();
    await replay.close();
    await webhooksStopped;
    await db.close();
    log.info('stopped cleanly');
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, 'error during shutdown');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
