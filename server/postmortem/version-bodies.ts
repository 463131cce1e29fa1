/**
 * Response bodies of published postmortem versions, kept serialised. A
 * version never changes once published, and one can be megabytes: turning
 * the stored snapshot into JSON on every read held the server's thread each
 * time. Bounded by bytes (least recently used goes first), per process.
 *
 * Holds bodies only, never a decision: the route checks on every request that
 * the reader may see the incident before it asks here, so a body warmed by an
 * insider is never served to someone the incident is hidden from. Keys carry
 * the publication time, so a version replaced under the same number (a demo
 * reset re-seeding its incidents) is a different key, not a stale hit.
 */
export class VersionBodies {
  readonly #bodies = new Map<string, string>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes = 64 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  static key(incidentId: string, version: number, publishedAt: Date): string {
    return `${incidentId}/${version}/${publishedAt.getTime()}`;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): string | undefined {
    const body = this.#bodies.get(key);
    if (body === undefined) return undefined;
    // Re-inserting moves it to the end: Map iteration order is the recency order.
    this.#bodies.delete(key);
    this.#bodies.set(key, body);
    return body;
  }

  set(key: string, body: string): void {
    // JavaScript strings are UTF-16 in memory: two bytes a code unit is what the cache holds.
    const size = body.length * 2;
    if (size > this.#maxBytes) return;
    const old = this.#bodies.get(key);
    if (old !== undefined) {
      this.#bodies.delete(key);
      this.#bytes -= old.length * 2;
    }
    this.#bodies.set(key, body);
    this.#bytes += size;
    for (const [oldest, value] of this.#bodies) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#bodies.delete(oldest);
      this.#bytes -= value.length * 2;
    }
  }
}
