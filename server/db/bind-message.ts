/**
 * The extended protocol's Bind message for a named prepared statement,
 * written into one buffer of its exact size. PGlite's protocol writer grows
 * its buffer by half again whenever it is full and copies each value three
 * more times (into a parameter writer, into the message, out of it): binding
 * a 1.9 MB postmortem version took 8 ms of the server's thread, inside the
 * publishing transaction every war room's commits wait for.
 *
 * Values are what PGlite's serializers return: a string is sent as text, a
 * Uint8Array in binary format, null as SQL NULL. Results come as text (what
 * PGlite's parsers read) unless `resultFormats` gives a format per column.
 */
const utf8 = new TextEncoder();

const BIND = 0x42; // 'B'
const TEXT = 0;
const BINARY = 1;

export type BindValue = string | Uint8Array | null;

/** 0: text, 1: binary; one per result column, or none for text throughout. */
export type ResultFormats = readonly (0 | 1)[];

export function encodeBind(statement: string, values: readonly BindValue[], resultFormats: ResultFormats = []): Uint8Array {
  const name = utf8.encode(statement);
  const bytes = values.map((value) => (typeof value === 'string' ? utf8.encode(value) : value));
  // Length field, unnamed portal, statement name, the format codes, the values, the result format codes.
  let length = 4 + 1 + name.byteLength + 1 + 2 + 2 * values.length + 2 + 2 + 2 * resultFormats.length;
  for (const value of bytes) length += 4 + (value?.byteLength ?? 0);
  const message = new Uint8Array(1 + length);
  const view = new DataView(message.buffer);
  let at = 0;
  message[at++] = BIND;
  view.setInt32(at, length);
  at += 4;
  message[at++] = 0;
  message.set(name, at);
  at += name.byteLength;
  message[at++] = 0;
  view.setUint16(at, values.length);
  at += 2;
  for (const value of values) {
    view.setInt16(at, value instanceof Uint8Array ? BINARY : TEXT);
    at += 2;
  }
  view.setUint16(at, values.length);
  at += 2;
  for (const value of bytes) {
    if (value === null) {
      view.setInt32(at, -1);
      at += 4;
      continue;
    }
    view.setInt32(at, value.byteLength);
    at += 4;
    message.set(value, at);
    at += value.byteLength;
  }
  view.setInt16(at, resultFormats.length);
  at += 2;
  for (const format of resultFormats) {
    view.setInt16(at, format);
    at += 2;
  }
  return message;
}
