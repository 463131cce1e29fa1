/**
 * Decisions a websocket upgrade needs (whose session is this, what may this
 * user do with this document), remembered for a short while so a reconnect
 * storm or a page with many tabs costs no queries per socket. The cache wraps
 * whatever function decides; it knows nothing about sessions or documents.
 *
 * What keeps a remembered decision honest is its owner's business: the
 * session sweep re-checks every remembered session with the open
 * connections' (so a revoked session is cut as fast as before), and an access
 * change forgets a document's decisions before its connections are judged
 * again. The age limit is the backstop for changes nobody announced.
 *
 * A failed decision is not remembered, nor one the caller says not to (a
 * refusal, say, which must not outlive the document or session being created).
 */
export interface DecisionCacheOptions {
  ageMs: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
}

export interface DecideOptions<T> {
  /** Whether a decision may be remembered (default: any but null). */
  remember?: (decided: T) => boolean;
}

interface Entry<T> {
  value: Promise<T>;
  at: number;
  /** Set once `value` resolved to a decision. */
  decided?: T;
}

export class DecisionCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ageMs: number;
  readonly #maxEntries: number;

  constructor(options: DecisionCacheOptions) {
    this.#ageMs = options.ageMs;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The remembered decision for `key`, or `decide()`'s. */
  get(key: string, decide: () => Promise<T>, options: DecideOptions<T> = {}): Promise<T> {
    const remember = options.remember ?? ((decided: T) => decided !== null);
    const hit = this.#entries.get(key);
    if (hit && performance.now() - hit.at < this.#ageMs) return hit.value;
    const value = decide();
    const entry: Entry<T> = { value, at: performance.now() };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    // The caller gets the error through `value`; here it only means "do not remember".
    value.then(
      (decided) => (remember(decided) ? (entry.decided = decided) : this.#forget(key, entry)),
      () => this.#forget(key, entry),
    );
    return value;
  }

  /**
   * The remembered decision for `key` if it is made and fresh, without
   * waiting; undefined when `get` would have to ask (or wait for an answer).
   */
  known(key: string): T | undefined {
    const hit = this.#entries.get(key);
    return hit && performance.now() - hit.at < this.#ageMs ? hit.decided : undefined;
  }

  /** The decisions made so far (in-flight ones are fresh and not listed). */
  *decisions(): Iterable<[string, T]> {
    for (const [key, entry] of this.#entries) if (entry.decided !== undefined) yield [key, entry.decided];
  }

  /** Forgets every decision whose key or decided value `matches`. */
  forget(matches: (key: string, decided: T | undefined) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(key, entry.decided)) this.#entries.delete(key);
  }

  #forget(key: string, entry: Entry<T>): void {
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
  }
}
