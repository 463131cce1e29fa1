import { getRequestListener } from '@hono/node-server';
import { WebhookWorker } from '../comms/webhooks/worker.ts';
import { parseConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../log.ts';
import { createServices } from '../wiring/services.ts';

export async function startDevApi() {
  const config = parseConfig({ NODE_ENV: 'development', ...process.env });
  const log = createLogger(config.logLevel);
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  log.info({ database: db.kind, location: db.location }, 'dev API database');
  await migrate(db.sql);
  const { app, collab, replay, onUpgrade } = createServices({ sql: db.sql, config, log });
  const webhooks = new WebhookWorker({ sql: db.sql, log });
  webhooks.start();
  return {
    listener: getRequestListener(app.fetch),
    onUpgrade,
    async close() {
      await Promise.all([collab.close(), webhooks.stop()]);
      await replay.close();
      await db.close();
    },
  };
}
