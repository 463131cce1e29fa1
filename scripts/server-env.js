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

/**
 * Node's flags for a server process: TypeScript run as written, and a floor
 * under the old generation's collection limit.
 *
 * V8 starts a full collection of a heap whenever its old generation has grown
 * past a limit it sets from what the previous one kept. The server's own heap
 * keeps about 40 MB, so the limit stayed near 50 MB, and work that allocates
 * large strings (a publication's sections and HTML, updates and runbooks at
 * their size limits) crossed it every few hundred milliseconds: four full
 * collections in the abuse benchmark's 2 s of Markdown bombs, each 20–60 ms
 * of marking on the event loop plus four helper threads sharing its core, and
 * a member typing in another war room waited 41–57 ms for a keystroke. With
 * `--initial-old-space-size` V8 skips full collections while the old
 * generation is below that size ("the embedder pre-configures the initial old
 * generation size"); at 128 MiB none ran during the bombs, and the keystroke
 * took 14–17 ms. The cost is garbage held longer: up to 128 MiB per heap
 * (worker threads' heaps too: the flag is the process's) before its first
 * full collection, which the memory figures after each attack include.
 */
export const SERVER_NODE_FLAGS = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', '--initial-old-space-size=128'];
