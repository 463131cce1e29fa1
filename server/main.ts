import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import { CollabServer } from './collab/collab-server.ts';
import { createCollabUpgrade } from './collab/upgrade.ts';
import { WebhookWorker } from './comms/webhooks/worker.ts';
import { ConfigError, parseConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import type { PagesHandler } from './http/pages.ts';
import { startServer } from './http-server.ts';
import { createLogger } from './log.ts';

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

const handlerPath = join(import.meta.dirname, '..', 'build', 'handler.js');
if (!existsSync(handlerPath)) {
  log.fatal(`the web app is not built (${handlerPath} is missing): run "npm run build" first, or use "npm start"`);
  process.exit(1);
}

const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
log.info({ database: db.kind, location: db.location }, db.kind === 'pglite' ? `embedded PostgreSQL (PGlite) keeps its data in ${db.location}` : `using PostgreSQL at ${db.location}`);
const applied = await migrate(db.sql);
if (applied.length > 0) log.info({ applied }, 'migrations applied');

const { handler: pages } = (await import(pathToFileURL(handlerPath).href)) as { handler: PagesHandler };
const collab = new CollabServer({ sql: db.sql, config, log });
const app = createApp(
  {
    sql: db.sql,
    config,
    log,
    loginLimiter: new RateLimiter({ limit: 10, windowMs: 60_000 }),
    live: collab,
  },
  pages,
);
const onUpgrade = createCollabUpgrade({ collab, config, log });
const running = await startServer({ app, port: config.port, host: config.host, log, onUpgrade });
const webhooks = new WebhookWorker({ sql: db.sql, log });
webhooks.start();
log.info({ url: running.url, startupMs: Math.round(performance.now() - started) }, `Warroom is listening on ${running.url}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down: finishing in-flight requests');
  try {
    // Sends in flight finish (each bounded by its timeout) while the rest shuts down; their outcome needs the database.
    const webhooksStopped = webhooks.stop();
    // Live documents first: their pending commits need the database.
    await collab.close();
    await running.close();
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
