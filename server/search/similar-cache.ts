/**
 * A small in-memory cache for the similar-incidents panel: everyone opening
 * the same war room within a minute shares one query. Bounded (least recently
 * used goes first) so a busy day cannot grow it without limit. Keyed by
 * viewer too, because what a person may see decides what the answer holds;
 * visibility can change within the minute, so readers re-check it on every
 * read (stillVisible in similar.ts) rather than trust the cached list.
 */
export class SimilarCache<T> {
  readonly #entries = new Map<string, { value: T; expires: number }>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { max?: number; ttlMs?: number; now?: () => number } = {}) {
    this.#max = options.max ?? 500;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  get size() {
    return this.#entries.size;
  }

  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= this.#now()) return undefined;
    // Re-inserting moves it to the end: Map iteration order is the recency order.
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: T): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  async getOrLoad(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = await load();
    this.set(key, value);
    return value;
  }
}
