/**
 * `npm run bench -- <name> [options]`: runs one benchmark.
 *   collab   bench/collab-fanout.ts — one writer, N readers on one live document
 */
const benchmarks: Record<string, string> = {
  collab: './collab-fanout.ts',
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
