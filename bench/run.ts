/**
 * `npm run bench -- <name> [options]`: runs one benchmark.
 *   collab   bench/collab-fanout.ts — one writer, N readers on one live document
 *   replay   bench/replay.ts — time-travel replay of a 4-hour, 5,000-update war room
 */
const benchmarks: Record<string, string> = {
  collab: './collab-fanout.ts',
  replay: './replay.ts',
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
