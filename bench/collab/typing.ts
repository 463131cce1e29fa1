/**
 * The typist: one character appended to a `Y.Text` per update, the way a
 * person types at the end of a line. Each update adds exactly one item, so
 * the writer's Yjs clock in an update is its position in the sequence: a
 * reader reads the clock from whatever the server delivers (one update, or
 * several merged into one message) and looks up when that update was sent.
 *
 * The updates are encoded here rather than produced by a live Y.Doc: Yjs
 * gets slower per insert once a text passes ~100,000 characters (the merged
 * item's string is concatenated on every keystroke), and generating them
 * during a measurement would spend the load generator's core. The encoder
 * is checked byte for byte against Yjs before any measurement starts.
 */
import { Buffer } from 'node:buffer';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/** The writer's Yjs client id; each measurement has a fresh document, so it never meets itself. */
export const TYPIST_CLIENT = 0x5eed5;
export const TEXT_NAME = 'bench-typing';

const STRING_CONTENT = 4;
const HAS_ORIGIN = 0x80;

export const typedChar = (k: number) => String.fromCharCode(97 + (k % 26));

/** The update that types character `k` (k = 0 creates the text at the root). */
export function typedUpdate(k: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1); // clients
  encoding.writeVarUint(encoder, 1); // structs of this client
  encoding.writeVarUint(encoder, TYPIST_CLIENT);
  encoding.writeVarUint(encoder, k); // clock of the first struct
  if (k === 0) {
    encoding.writeUint8(encoder, STRING_CONTENT);
    encoding.writeVarUint(encoder, 1); // parent is a root type, named next
    encoding.writeVarString(encoder, TEXT_NAME);
  } else {
    encoding.writeUint8(encoder, STRING_CONTENT | HAS_ORIGIN);
    encoding.writeVarUint(encoder, TYPIST_CLIENT);
    encoding.writeVarUint(encoder, k - 1);
  }
  encoding.writeVarString(encoder, typedChar(k));
  encoding.writeVarUint(encoder, 0); // empty delete set
  return encoding.toUint8Array(encoder);
}

/** Throws unless the hand encoding equals what Yjs emits for the same keystrokes. */
export function checkAgainstYjs(count = 2000): void {
  const doc = new Y.Doc();
  doc.clientID = TYPIST_CLIENT;
  const text = doc.getText(TEXT_NAME);
  const emitted: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => emitted.push(update));
  for (let k = 0; k < count; k++) text.insert(text.length, typedChar(k));
  for (let k = 0; k < count; k++) {
    if (!Buffer.from(emitted[k]).equals(typedUpdate(k))) throw new Error(`the typist's update #${k} differs from what Yjs emits`);
  }
  doc.destroy();
}

export const expectedText = (count: number) => Array.from({ length: count }, (_, k) => typedChar(k)).join('');

/** Cached updates, so sending costs one lookup. */
export class Typist {
  readonly #updates: Uint8Array[] = [];

  update(k: number): Uint8Array {
    for (let i = this.#updates.length; i <= k; i++) this.#updates.push(typedUpdate(i));
    return this.#updates[k];
  }
}

/**
 * The ranges [start, end) of the typist's clocks an update carries, as a flat
 * list. A small memo of recent messages by content: a server sends the same
 * bytes to every reader, so the load generator decodes each once, not N times.
 */
export class ClockReader {
  readonly #recent: { bytes: Uint8Array; ranges: number[] }[] = [];
  #slot = 0;

  ranges(update: Uint8Array): number[] {
    for (const entry of this.#recent) if (Buffer.compare(entry.bytes, update) === 0) return entry.ranges;
    const ranges: number[] = [];
    for (const struct of Y.decodeUpdate(update).structs) {
      if (struct.id.client !== TYPIST_CLIENT || struct instanceof Y.Skip) continue;
      const start = struct.id.clock;
      const end = start + struct.length;
      if (ranges.length > 0 && ranges[ranges.length - 1] === start) ranges[ranges.length - 1] = end;
      else ranges.push(start, end);
    }
    // Copied: the frame's buffer belongs to the socket and may be reused.
    const entry = { bytes: Uint8Array.from(update), ranges };
    if (this.#recent.length < 8) this.#recent.push(entry);
    else this.#recent[this.#slot++ % 8] = entry;
    return ranges;
  }
}
