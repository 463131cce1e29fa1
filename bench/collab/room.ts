/**
 * One measured room: a fresh document, N readers that sync like the stock
 * provider, and one writer typing the typist's updates. Reader 0 keeps a
 * real Y.Doc, so every measurement ends by checking the server delivered the
 * typed text itself, not just the right number of updates.
 */
import { CollabClient, connectMany, type Endpoint } from './client.ts';
import { Deliveries } from './deliveries.ts';
import { ClockReader, expectedText, TEXT_NAME, Typist } from './typing.ts';

const typist = new Typist();

export class BenchRoom {
  readonly endpoint: Endpoint;
  readonly deliveries: Deliveries;
  readonly readers: CollabClient[];
  readonly writer: CollabClient;
  sent = 0;

  private constructor(endpoint: Endpoint, deliveries: Deliveries, readers: CollabClient[], writer: CollabClient) {
    this.endpoint = endpoint;
    this.deliveries = deliveries;
    this.readers = readers;
    this.writer = writer;
  }

  static async open(endpoint: Endpoint, readerCount: number, options: { capacity: number; latencies: boolean; concurrency?: number }): Promise<BenchRoom> {
    const deliveries = new Deliveries(readerCount, options.capacity, { latencies: options.latencies });
    const clocks = new ClockReader();
    const readers = await connectMany(readerCount, options.concurrency ?? 50, async (index) => {
      const client = new CollabClient(endpoint, {
        keepDoc: index === 0,
        onUpdate: (update, at) => {
          const ranges = clocks.ranges(update);
          for (let i = 0; i < ranges.length; i += 2) deliveries.received(index, ranges[i], ranges[i + 1], at);
        },
      });
      await client.synced;
      return client;
    });
    const writer = new CollabClient(endpoint);
    try {
      await writer.synced;
    } catch (error) {
      for (const reader of readers) reader.close();
      throw error;
    }
    return new BenchRoom(endpoint, deliveries, readers, writer);
  }

  /** Sends the next keystroke. */
  type(): void {
    const k = this.sent++;
    const frame = this.endpoint.dialect.update(this.endpoint.doc, typist.update(k));
    this.deliveries.sent(k, performance.now());
    this.writer.send(frame);
  }

  /** Waits until every reader has every update sent; false if that took longer than `timeoutMs`. */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    const started = performance.now();
    while (this.deliveries.slowest() < this.sent) {
      if (performance.now() - started > timeoutMs) return false;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return true;
  }

  /** Null when reader 0 holds exactly the typed text and nothing arrived out of order; else what is wrong. */
  problems(): string | null {
    const problems: string[] = [];
    const text = this.readers[0]?.doc?.getText(TEXT_NAME).toString() ?? '';
    if (this.readers.length > 0 && text !== expectedText(this.sent)) {
      problems.push(`reader 0 holds ${text.length} characters, not the ${this.sent} typed${text.length === this.sent ? ' (different text)' : ''}`);
    }
    if (this.deliveries.outOfOrder > 0) problems.push(`${this.deliveries.outOfOrder} deliveries arrived after a gap`);
    return problems.length ? problems.join('; ') : null;
  }

  close(): void {
    this.writer.close();
    for (const reader of this.readers) reader.close();
  }
}
