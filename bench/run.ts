/**
 * `npm run bench -- <name> [options]`: runs one benchmark.
 *   alerts   bench/alert-storm.ts — 5,000 Alertmanager deliveries of 20 alerts into one incident
 *   collab   bench/collab-fanout.ts — one writer, N readers on one live document
 *   replay   bench/replay.ts — time-travel replay of a 4-hour, 5,000-update war room
 *   search   bench/search.ts — knowledge-base search over 10,000 demo incidents
 */
const benchmarks: Record<string, string> = {
  alerts: './alert-storm.ts',
  collab: './collab-fanout.ts',
  replay: './replay.ts',
  search: './search.ts',
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
