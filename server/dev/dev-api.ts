import { getRequestListener } from '@hono/node-server';
import { createApp } from '../app.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { CollabServer } from '../collab/collab-server.ts';
import { createCollabUpgrade } from '../collab/upgrade.ts';
import { WebhookWorker } from '../comms/webhooks/worker.ts';
import { parseConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../log.ts';

export async function startDevApi() {
  const config = parseConfig({ NODE_ENV: 'development', ...process.env });
  const log = createLogger(config.logLevel);
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  log.info({ database: db.kind, location: db.location }, 'dev API database');
  await migrate(db.sql);
  const collab = new CollabServer({ sql: db.sql, config, log });
  const app = createApp({
    sql: db.sql,
    config,
    log,
    loginLimiter: new RateLimiter({ limit: 10, windowMs: 60_000 }),
    live: collab,
  });
  const onUpgrade = createCollabUpgrade({ collab, config, log });
  const webhooks = new WebhookWorker({ sql: db.sql, log });
  webhooks.start();
  return {
    listener: getRequestListener(app.fetch),
    onUpgrade,
    async close() {
      await Promise.all([collab.close(), webhooks.stop()]);
      await db.close();
    },
  };
}
