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
 * Node's flags for a server process: TypeScript run as written, and two
 * settings of V8's garbage collector, for a server that shares a core or two
 * among its event loop, its worker threads and V8's helper threads.
 *
 * A floor under the old generation's collection limit. V8 starts a full
 * collection of a heap whenever its old generation has grown past a limit
 * it sets from what the previous one kept. The server's own heap keeps about
 * 40 MB, so the limit stayed near 50 MB, and work that allocates large
 * strings (a publication's sections and HTML, updates and runbooks at their
 * size limits) crossed it every few hundred milliseconds: four full
 * collections in the abuse benchmark's 2 s of Markdown bombs, each 20–60 ms
 * of marking on the event loop, and a member typing in another war room
 * waited 37–55 ms per keystroke at the 99th percentile. With
 * `--initial-old-space-size` V8 skips full collections while the old
 * generation is below that size; at 128 MiB none ran during the bombs, and
 * the keystrokes took 14–30 ms. The cost is garbage held longer: up to
 * 128 MiB per heap (worker threads' too: the flag is the process's) before
 * its first full collection.
 *
 * One helper thread marking a heap, not up to seven. The helpers are one
 * pool for every heap in the process, and the largest heap is the document
 * thread's (a 100,000-entry war room: 500 MB): while it was marked, four
 * helpers took about 60% of the server's core, the event loop the rest, and
 * a keystroke in another room waited 50–78 ms in four of eight runs. The
 * helpers run below the event loop's priority already (see
 * background-priority.ts), but four of them at that priority still outweigh
 * it. With one, the document thread's collections take longer, on a thread
 * nobody waits on for a keystroke; the event loop's own heap is marked with
 * one helper too, which the floor above makes rare. In four runs: 29–45 ms.
 */
export const SERVER_NODE_FLAGS = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', '--initial-old-space-size=128', '--concurrent-marking-max-worker-num=1'];
