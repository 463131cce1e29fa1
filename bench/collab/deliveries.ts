/**
 * What the readers of one measurement received of the typist's updates:
 * counted per update (a server may merge several into one message) and per
 * reader, with each reader's own delivery latency when asked for.
 */
export class Deliveries {
  readonly readers: number;
  readonly capacity: number;
  /** performance.now() when update k left the writer; 0 until then. */
  readonly sentAt: Float64Array;
  /** Per reader, the next clock it has not received yet. */
  readonly #next: Int32Array;
  /** Latency of update k at reader r at [k * readers + r], NaN until it arrives; only when recording. */
  readonly #latency: Float64Array | null;
  /** Updates that arrived before an earlier one (a gap), which a real client would hold back. */
  outOfOrder = 0;

  constructor(readers: number, capacity: number, options: { latencies: boolean }) {
    this.readers = readers;
    this.capacity = capacity;
    this.sentAt = new Float64Array(capacity);
    this.#next = new Int32Array(readers);
    this.#latency = options.latencies ? new Float64Array(readers * capacity).fill(Number.NaN) : null;
  }

  sent(k: number, at: number): void {
    this.sentAt[k] = at;
  }

  /** Reader `reader` received the typist's clocks [start, end) at `at`. */
  received(reader: number, start: number, end: number, at: number): void {
    const next = this.#next[reader];
    if (start > next) this.outOfOrder++;
    if (end <= next) return;
    if (this.#latency) {
      const last = Math.min(end, this.capacity);
      for (let k = Math.max(start, next); k < last; k++) {
        if (this.sentAt[k] > 0) this.#latency[k * this.readers + reader] = at - this.sentAt[k];
      }
    }
    this.#next[reader] = end;
  }

  /** Updates every reader has (the slowest reader's count). */
  slowest(): number {
    let min = Number.POSITIVE_INFINITY;
    for (let r = 0; r < this.readers; r++) if (this.#next[r] < min) min = this.#next[r];
    return this.readers === 0 ? 0 : min;
  }

  receivedBy(reader: number): number {
    return this.#next[reader];
  }

  /** Per-reader latencies of updates [from, to), every reader's sample; missing ones are skipped. */
  latencies(from: number, to: number): number[] {
    if (!this.#latency) throw new Error('this measurement did not record latencies');
    const out: number[] = [];
    for (let i = from * this.readers; i < to * this.readers; i++) if (!Number.isNaN(this.#latency[i])) out.push(this.#latency[i]);
    return out;
  }

  /** For update k, how long until the last reader had it (NaN if some reader never did). */
  untilEveryone(k: number): number {
    if (!this.#latency) throw new Error('this measurement did not record latencies');
    let max = 0;
    for (let r = 0; r < this.readers; r++) {
      const value = this.#latency[k * this.readers + r];
      if (Number.isNaN(value)) return Number.NaN;
      if (value > max) max = value;
    }
    return max;
  }
}
