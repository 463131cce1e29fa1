/**
 * Response bodies of published postmortem versions, kept serialised. A
 * version never changes once published, and one can be megabytes: turning
 * the stored snapshot into JSON on every read held the server's thread each
 * time. Bounded by bytes (least recently used goes first), per process.
 *
 * Holds bodies only, never a decision: the route checks on every request that
 * the reader may see the incident before it asks here, so a body warmed by an
 * insider is never served to someone the incident is hidden from. Each body
 * carries its version's publication time: a version replaced under the same
 * number (a demo reset re-seeding its incidents) no longer matches it, so a
 * reader checks that before using a body, and a version not held at all is
 * read in full straight away.
 */
export interface VersionBody {
  /** When the version was published (milliseconds since the epoch). */
  publishedAt: number;
  body: string;
}

export class VersionBodies {
  readonly #bodies = new Map<string, VersionBody>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes = 64 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  static key(incidentId: string, version: number): string {
    return `${incidentId}/${version}`;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): VersionBody | undefined {
    const held = this.#bodies.get(key);
    if (held === undefined) return undefined;
    // Re-inserting moves it to the end: Map iteration order is the recency order.
    this.#bodies.delete(key);
    this.#bodies.set(key, held);
    return held;
  }

  set(key: string, publishedAt: Date, body: string): void {
    const size = sizeOf(body);
    if (size > this.#maxBytes) return;
    const old = this.#bodies.get(key);
    if (old !== undefined) {
      this.#bodies.delete(key);
      this.#bytes -= sizeOf(old.body);
    }
    this.#bodies.set(key, { publishedAt: publishedAt.getTime(), body });
    this.#bytes += size;
    for (const [oldest, value] of this.#bodies) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#bodies.delete(oldest);
      this.#bytes -= sizeOf(value.body);
    }
  }
}

/** JavaScript strings are UTF-16 in memory: two bytes a code unit is what the cache holds. */
const sizeOf = (body: string) => body.length * 2;
