/**
 * `npm run bench -- <name> [options]`: runs one benchmark.
 *   abuse    bench/abuse.ts — the worst inputs one member can send, against the production server
 *   access   bench/access-change.ts — a role change and a privacy change reaching 500 readers, each a different person
 *   alerts   bench/alert-storm.ts — 5,000 Alertmanager deliveries of 20 alerts into one incident
 *   board    bench/board-history.ts — when the correct hypothesis was written, read from war rooms' change logs, then cached
 *   collab   bench/collab-fanout.ts — collaboration speed side by side with @y/websocket-server and Hocuspocus
 *   cluster  bench/cluster-fanout.ts — the collab workload with readers on 3 processes: cross-process delivery, Redis messages, rolling restart
 *   cluster-crash  bench/cluster-crash.ts — kill -9 of a random process ≥ 20 times under 20 writers, through HAProxy
 *   replay   bench/replay.ts — time-travel replay of a 4-hour, 5,000-update war room
 *   search   bench/search.ts — knowledge-base search over 10,000 demo incidents
 *   states   bench/state-propagation.ts — each state change, from the request to every other open war room
 *   soak     bench/soak.ts — 200 stock clients typing in one war room for 10 minutes
 */
const benchmarks: Record<string, string> = {
  abuse: './abuse.ts',
  access: './access-change.ts',
  alerts: './alert-storm.ts',
  board: './board-history.ts',
  collab: './collab-fanout.ts',
  cluster: './cluster-fanout.ts',
  'cluster-crash': './cluster-crash.ts',
  replay: './replay.ts',
  search: './search.ts',
  states: './state-propagation.ts',
  soak: './soak.ts',
};

const [which, ...rest] = process.argv.slice(2);
const entry = which ? benchmarks[which] : undefined;
if (!entry) {
  console.error(`usage: npm run bench -- <${Object.keys(benchmarks).join('|')}> [options]`);
  process.exit(2);
}
process.argv = [process.argv[0], entry, ...rest];
await import(entry);

export {};
