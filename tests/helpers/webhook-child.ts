/**
 * The API plus the webhook delivery worker as a separate process, for tests
 * that SIGKILL it. Database from the environment like collab-child.ts
 * (DATABASE_URL + DB_SCHEMA, or DATA_DIR for PGlite on disk); worker timings
 * from WEBHOOK_POLL_MS, WEBHOOK_TIMEOUT_MS, WEBHOOK_LEASE_MS, WEBHOOK_BACKOFF_MS.
 * Prints {"url": …} once listening.
 */
import { createApp } from '../../server/app.ts';
import { RateLimiter } from '../../server/auth/rate-limit.ts';
import { WebhookWorker } from '../../server/comms/webhooks/worker.ts';
import { parseConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { startServer } from '../../server/http-server.ts';
import { createLogger } from '../../server/log.ts';

const config = parseConfig({ LOG_LEVEL: 'silent', ...process.env, NODE_ENV: 'test', PORT: '0' });
const log = createLogger(config.logLevel);
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, schema: process.env.DB_SCHEMA });
await migrate(db.sql);
const ms = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const worker = new WebhookWorker({
  sql: db.sql,
  log,
  pollIntervalMs: ms('WEBHOOK_POLL_MS', 50),
  timeoutMs: ms('WEBHOOK_TIMEOUT_MS', 1000),
  leaseMs: ms('WEBHOOK_LEASE_MS', 2000),
  backoff: { baseMs: ms('WEBHOOK_BACKOFF_MS', 200), maxMs: ms('WEBHOOK_BACKOFF_MS', 200) },
  nudgeDelayMs: 10,
});
const app = createApp({ sql: db.sql, config, log, loginLimiter: new RateLimiter({ limit: 1000, windowMs: 60_000 }) });
const running = await startServer({ app, port: 0, host: '127.0.0.1', log });
worker.start();
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);

process.on('SIGTERM', async () => {
  await worker.stop();
  await running.close(1000);
  await db.close();
  process.exit(0);
});
