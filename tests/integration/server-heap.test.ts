/**
 * The server's heap is not fully collected every few tens of megabytes: with
 * the flags a server process starts with (scripts/server-env.js), garbage
 * from large strings and arrays (a publication's sections, an update at its
 * size limit) waits until the old generation reaches the floor, instead of
 * a full collection each time it grows past what the last one kept. A child
 * Node process keeps 40 MB, as the server's own heap does, lets a full
 * collection set the limit from that (as V8's memory reducer does after an
 * idle spell), then makes 50 MB of garbage in megabyte pieces, each held long
 * enough to reach the old generation.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../../scripts/server-env.js';

const CHURN = `
const { PerformanceObserver, constants } = require('node:perf_hooks');
let full = 0;
let since = Infinity;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR && entry.startTime >= since) full++;
}).observe({ entryTypes: ['gc'] });
const piece = (n) => new Array(131072).fill(n);
const kept = Array.from({ length: 40 }, (_, i) => piece(i));
// As after an idle spell (V8's memory reducer) or a low-memory notification: the limit follows what was kept, closely.
globalThis.gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
setTimeout(() => {
  since = performance.now();
  for (let round = 0; round < 5; round++) {
    let held = Array.from({ length: 10 }, (_, i) => piece(round * 10 + i));
    // Held across young-generation collections, as a request's strings are held across its awaits: promoted.
    globalThis.gc({ type: 'minor' });
    globalThis.gc({ type: 'minor' });
    held = null;
  }
  setTimeout(() => console.log(JSON.stringify({ full, kept: kept.length })), 100);
}, 100);
`;

/** Full collections while 50 MB of garbage is made, in a Node process started with `flags`. */
function fullCollections(flags: string[]): number {
  const output = execFileSync(process.execPath, [...flags, '--expose-gc', '--input-type=commonjs', '-e', CHURN], { encoding: 'utf8', timeout: 30_000 });
  return (JSON.parse(output.trim()) as { full: number }).full;
}

describe('the server process heap', () => {
  it('is not fully collected while its old generation stays below the floor the server starts with', () => {
    expect(fullCollections(SERVER_NODE_FLAGS)).toBe(0);
    // Without the floor the same garbage starts a full collection: what the flag is there for.
    expect(fullCollections([])).toBeGreaterThan(0);
  });
});
