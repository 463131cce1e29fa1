import { getRequestListener } from '@hono/node-server';
import { createApp } from '../app.ts';
import { RateLimiter } from '../auth/rate-limit.ts';
import { parseConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import type { UpgradeHandler } from '../http-server.ts';
import { createLogger } from '../log.ts';

export async function startDevApi() {
  const config = parseConfig({ NODE_ENV: 'development', ...process.env });
  const log = createLogger(config.logLevel);
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  log.info({ database: db.kind, location: db.location }, 'dev API database');
  await migrate(db.sql);
  const app = createApp({ sql: db.sql, config, log, loginLimiter: new RateLimiter({ limit: 10, windowMs: 60_000 }) });
  const onUpgrade: UpgradeHandler = (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
  return { listener: getRequestListener(app.fetch), onUpgrade, close: () => db.close() };
}
