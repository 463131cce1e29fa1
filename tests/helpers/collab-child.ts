/**
 * The collaboration server alone (API + /collab, no SvelteKit pages) as a
 * separate process, for tests that kill it. Database from the environment:
 * DATABASE_URL + DB_SCHEMA for PostgreSQL, or DATA_DIR for PGlite on disk.
 * COLLAB_DOC_ID names documents to create (comma-separated);
 * COLLAB_COMPACT_AFTER_UPDATES / _BYTES override the compaction thresholds
 * (the benchmark turns compaction off to measure a full log replay).
 * Prints {"url": …} once listening; with MEMORY_REPORT_MS, a line
 * {"memory": …} that often: its V8 heap and PGlite's WebAssembly memory (the
 * soak tells from them whose memory moves). Started with --expose-gc, it
 * collects all garbage on SIGUSR2, so the soak can compare what is retained
 * at its start and end rather than where V8's heap happens to be.
 */
import { createDocument } from '../../server/collab/documents.ts';
import { parseConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { startServer } from '../../server/http-server.ts';
import { createLogger } from '../../server/log.ts';
import { createServices } from '../../server/wiring/services.ts';

const config = parseConfig({ LOG_LEVEL: 'silent', ...process.env, NODE_ENV: 'test', PORT: '0' });
const log = createLogger(config.logLevel);
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, schema: process.env.DB_SCHEMA });
await migrate(db.sql);
for (const docId of (process.env.COLLAB_DOC_ID ?? '').split(',').filter(Boolean)) await createDocument(db.sql, docId, 'test');
const threshold = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const { app, collab, replay, onUpgrade } = createServices({
  sql: db.sql,
  config,
  log,
  loginLimit: 1000,
  collab: { compactAfterUpdates: threshold('COLLAB_COMPACT_AFTER_UPDATES'), compactAfterBytes: threshold('COLLAB_COMPACT_AFTER_BYTES'), hostAboveBytes: threshold('COLLAB_HOST_ABOVE_BYTES') },
});
const running = await startServer({ app, port: 0, host: '127.0.0.1', log, onUpgrade });
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
// The memory-reducing flavour: a plain gc() leaves the freed pages mapped and the RSS where it was.
const collect = (globalThis as { gc?: (options: object) => void }).gc;
if (collect) process.on('SIGUSR2', () => collect({ type: 'major', execution: 'sync', flavor: 'last-resort' }));
if (process.env.MEMORY_REPORT_MS) {
  setInterval(() => {
    const { heapUsed, heapTotal, external } = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ memory: { heapUsed, heapTotal, external, wasm: db.wasmMemoryBytes() } })}\n`);
  }, Number(process.env.MEMORY_REPORT_MS)).unref();
}

process.on('SIGTERM', async () => {
  await collab.close();
  await running.close(1000);
  await replay.close();
  await db.close();
  process.exit(0);
});
