/**
 * The collaboration server alone (API + /collab, no SvelteKit pages) as a
 * separate process, for tests that kill it. Database from the environment:
 * DATABASE_URL + DB_SCHEMA for PostgreSQL, or DATA_DIR for PGlite on disk.
 * COLLAB_DOC_ID names documents to create (comma-separated);
 * COLLAB_COMPACT_AFTER_UPDATES / _BYTES override the compaction thresholds
 * (the benchmark turns compaction off to measure a full log replay).
 * Prints {"url": …} once listening.
 */
import { createApp } from '../../server/app.ts';
import { RateLimiter } from '../../server/auth/rate-limit.ts';
import { CollabServer } from '../../server/collab/collab-server.ts';
import { createDocument } from '../../server/collab/documents.ts';
import { createCollabUpgrade } from '../../server/collab/upgrade.ts';
import { parseConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { startServer } from '../../server/http-server.ts';
import { createLogger } from '../../server/log.ts';

const config = parseConfig({ LOG_LEVEL: 'silent', ...process.env, NODE_ENV: 'test', PORT: '0' });
const log = createLogger(config.logLevel);
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, schema: process.env.DB_SCHEMA });
await migrate(db.sql);
for (const docId of (process.env.COLLAB_DOC_ID ?? '').split(',').filter(Boolean)) await createDocument(db.sql, docId, 'test');
const threshold = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const collab = new CollabServer({
  sql: db.sql,
  config,
  log,
  compactAfterUpdates: threshold('COLLAB_COMPACT_AFTER_UPDATES'),
  compactAfterBytes: threshold('COLLAB_COMPACT_AFTER_BYTES'),
});
const app = createApp({
  sql: db.sql,
  config,
  log,
  loginLimiter: new RateLimiter({ limit: 1000, windowMs: 60_000 }),
  live: collab,
});
const running = await startServer({ app, port: 0, host: '127.0.0.1', log, onUpgrade: createCollabUpgrade({ collab, config, log }) });
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);

process.on('SIGTERM', async () => {
  await collab.close();
  await running.close(1000);
  await db.close();
  process.exit(0);
});
