/**
 * `npm run cluster -- --nodes 3 [--port 8080]`: N Warroom processes in
 * cluster mode on consecutive ports behind HAProxy, for trying it locally.
 * Open the load balancer's address; Ctrl-C stops everything (SIGTERM to each
 * process: a rolling stop, nothing lost).
 *
 * DATABASE_URL and REDIS_URL come from the environment (defaults: the local
 * PostgreSQL's "warroom" database and the local Redis).
 */
import { parseArgs } from 'node:util';
import { NodeLauncher } from './cluster/launch.ts';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '3' }, port: { type: 'string', default: '8080' } } });
const nodes = Number(values.nodes);
const port = Number(values.port);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) {
  console.error(`cluster: --nodes ${values.nodes} is not valid: a whole number from 1 to 16`);
  process.exit(2);
}
if (!Number.isInteger(port) || port < 1 || port + nodes > 65535) {
  console.error(`cluster: --port ${values.port} is not valid`);
  process.exit(2);
}
const missing = NodeLauncher.missing();
if (missing) {
  console.error(`cluster: ${missing}`);
  process.exit(1);
}

const launcher = new NodeLauncher({
  nodes,
  port,
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/warroom',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  redisPrefix: process.env.REDIS_PREFIX ?? 'warroom',
  logLevel: process.env.LOG_LEVEL ?? 'info',
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('cluster: stopping every process (SIGTERM) and HAProxy');
  await launcher.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
try {
  await launcher.start();
} catch (error) {
  console.error(`cluster: ${(error as Error).message}`);
  await launcher.stop();
  process.exit(1);
}
console.log(`cluster: ${nodes} processes (${launcher.nodes.map((n) => `${n.name} on :${n.port}`).join(', ')}) behind HAProxy at ${launcher.url}`);
console.log(`cluster: processes are listed for admins at ${launcher.url}/api/admin/cluster; Ctrl-C stops everything`);
