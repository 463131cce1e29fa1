// The environment a Warroom server process starts with, for every way of
// starting one (`npm run serve`, the cluster launcher, the benchmarks). Plain
// JavaScript, like check-node.js, because `npm run serve` loads it on any Node.
import { availableParallelism } from 'node:os';

/**
 * glibc's allocator carves allocations under its mmap threshold from its
 * heaps and, once they are freed, keeps the memory for later; the threshold
 * also rises by itself to the size of the largest block freed (up to 32 MiB),
 * so after one large Markdown bomb or document load, blocks of megabytes come
 * from the heap too. A server that has just published a 1.3 MB postmortem or
 * loaded a 100,000-entry war room then stays 60–150 MiB larger for good
 * (the abuse benchmark: 376–386 MiB kept after the Markdown bombs against
 * 238–239 with this setting, 424–425 against 260–268 after the big document).
 * A fixed threshold of 128 KiB gives every large block a mapping of its own,
 * returned to the system when freed. The setting must be in the environment
 * before the process starts; musl and other allocators ignore it.
 */
export const ALLOCATOR_SETTINGS = { MALLOC_MMAP_THRESHOLD_: '131072' };

/**
 * V8 runs the garbage collector's helpers (parallel scavenges, concurrent
 * marking and sweeping) and its optimising compilers on a pool of background
 * threads: four, whatever the machine. On a server with fewer cores than that
 * they take turns on the same cores as the event loop. In the abuse
 * benchmark (server on one core, a 100,000-entry war room being loaded,
 * replayed and closed) V8's threads used a third of the core, and a member
 * typing in another war room waited for them: with four, their keystrokes'
 * p99 was 135–191 ms in five runs, with one 71–117 ms in seven. The pool gets
 * one thread fewer than the cores the process may run on, at least one (the
 * event loop's thread is the other) and at most V8's four.
 * @param {number} cores
 */
export function v8PoolSize(cores) {
  return Math.min(4, Math.max(1, cores - 1));
}

/**
 * `env` with the allocator settings added, unless the deployment set its own,
 * and NODE_OPTIONS with the V8 pool sized to `cores` (by default the cores
 * this process may run on, which the server it becomes or starts inherits),
 * unless it sizes the pool itself.
 * @param {Record<string, string | undefined>} env
 * @param {{ cores?: number }} options
 */
export function serverEnvironment(env = process.env, { cores = availableParallelism() } = {}) {
  const added = Object.fromEntries(Object.entries(ALLOCATOR_SETTINGS).filter(([name]) => env[name] === undefined));
  const options = env.NODE_OPTIONS ?? '';
  if (!/--v8-pool-size\b/.test(options)) added.NODE_OPTIONS = `${options} --v8-pool-size=${v8PoolSize(cores)}`.trim();
  return { ...env, ...added };
}
