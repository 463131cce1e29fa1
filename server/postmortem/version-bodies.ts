/**
 * Response bodies of published postmortem versions, kept serialised. A
 * version never changes once published, and one can be megabytes: turning
 * the stored snapshot into JSON on every read held the server's thread each
 * time, and so did encoding the JSON as UTF-8 for the response (37 ms for a
 * postmortem of eight 50,000-character sections): bodies are kept as the
 * UTF-8 bytes that are sent. Bounded by bytes (least recently used goes
 * first), per process.
 *
 * Holds bodies only, never a decision: the route checks on every request that
 * the reader may see the incident before it asks here, so a body warmed by an
 * insider is never served to someone the incident is hidden from. Each body
 * carries its version's publication time: a version replaced under the same
 * number (a demo reset re-seeding its incidents) no longer matches it, so a
 * reader checks that before using a body, and a version not held at all is
 * read in full straight away.
 */
import { backgroundTurn } from '../threads/slices.ts';
import type { StoredVersion } from './repo.ts';

export interface VersionBody {
  /** When the version was published (milliseconds since the epoch). */
  publishedAt: number;
  /** The response body: JSON, encoded as UTF-8. */
  body: Buffer;
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

  /** Keeps the body (JSON text, encoded once, here, or its bytes from `encodeVersionBody`) and returns the bytes to send. */
  set(key: string, publishedAt: Date, json: string | Buffer): Buffer {
    const body = typeof json === 'string' ? encodeOwn(json) : json;
    const size = body.byteLength;
    if (size > this.#maxBytes) return body;
    const old = this.#bodies.get(key);
    if (old !== undefined) {
      this.#bodies.delete(key);
      this.#bytes -= old.body.byteLength;
    }
    this.#bodies.set(key, { publishedAt: publishedAt.getTime(), body });
    this.#bytes += size;
    for (const [oldest, value] of this.#bodies) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#bodies.delete(oldest);
      this.#bytes -= value.body.byteLength;
    }
    return body;
  }
}

/** UTF-8 in a buffer of its own: a small one from Node's shared pool would keep the pool's whole 8 KB slab alive while held. */
function encodeOwn(json: string): Buffer {
  const body = Buffer.allocUnsafeSlow(Buffer.byteLength(json, 'utf8'));
  body.write(json, 'utf8');
  return body;
}

/** Pieces of bytes joined into a buffer of their own (see encodeOwn). */
function joinOwn(pieces: Buffer[]): Buffer {
  const body = Buffer.allocUnsafeSlow(pieces.reduce((sum, piece) => sum + piece.byteLength, 0));
  let at = 0;
  for (const piece of pieces) at += piece.copy(body, at);
  return body;
}

/**
 * A version's response body: its facts, the snapshot's stored JSON text as
 * it is, its Markdown and its HTML, each large text escaped and encoded in a
 * turn of its own. A postmortem at its size limits has 2 MB of them, and
 * parsing the snapshot, serialising it all again and encoding the result
 * held the server's thread 35-45 ms in one piece, the read of the version
 * before it included.
 */
export async function encodeVersionBody(version: StoredVersion, html: string): Promise<Buffer> {
  const facts = JSON.stringify({ version: version.version, publishedAt: version.publishedAt.toISOString(), publishedBy: version.publishedBy });
  const pieces: Buffer[] = [Buffer.from(`${facts.slice(0, -1)},"snapshot":`)];
  const rest: [() => string, string][] = [
    [() => version.snapshotJson, ',"markdown":'],
    [() => JSON.stringify(version.markdown), ',"html":'],
    [() => JSON.stringify(html), '}'],
  ];
  for (const [text, after] of rest) {
    await backgroundTurn();
    pieces.push(Buffer.from(text(), 'utf8'), Buffer.from(after));
  }
  return joinOwn(pieces);
}
