// The environment a Warroom server process starts with, for every way of
// starting one (`npm run serve`, the cluster launcher, the benchmarks). Plain
// JavaScript, like check-node.js, because `npm run serve` loads it on any Node.

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

/** `env` with the allocator settings added, unless the deployment set its own. */
export function serverEnvironment(env = process.env) {
  const added = Object.fromEntries(Object.entries(ALLOCATOR_SETTINGS).filter(([name]) => env[name] === undefined));
  return { ...env, ...added };
}
