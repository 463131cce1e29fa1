/**
 * Our Bind message must be byte for byte the one PGlite's own protocol
 * writer makes, for every kind of value a serializer hands over: PostgreSQL
 * reads it, and a wrong length or format code is a wrong value stored.
 */
import { protocol } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { encodeBind, type BindValue } from '../../server/db/bind-message.ts';

const theirs = (statement: string, values: BindValue[]) => new Uint8Array(protocol.serialize.bind({ statement, values: values as never }));

const bytes = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 7919) & 255);

describe('the Bind message of a prepared statement', () => {
  const cases: [string, string, BindValue[]][] = [
    ['no values', 's1', []],
    ['a null', 's2', [null]],
    ['short text', 's3', ['INC-42', 'ana@example.com', '']],
    ['text beyond ASCII', 's4', ['Störung – ☕ ok', '🔥 SEV1 🚒', 'naïve façade']],
    ['half a surrogate pair', 's5', ['a\ud800b', '\udfff']],
    ['bytes, text and nulls mixed', 'warroom_statement_17', [bytes(0), 'text', null, bytes(300), '{"a":[1,2]}']],
    ['a value of megabytes', 's6', [bytes(2 * 1024 * 1024), 'x'.repeat(70_000)]],
  ];
  for (const [what, statement, values] of cases) {
    it(`is PGlite's own for ${what}`, () => {
      expect(Buffer.from(encodeBind(statement, values)).equals(Buffer.from(theirs(statement, values)))).toBe(true);
    });
  }

  // PGlite's writer can only ask for all columns in binary (and then leaves out the format code), so this one is checked by hand.
  it('carries a format per result column, after the values', () => {
    const message = encodeBind('s8', ['x'], [0, 1, 0]);
    const view = new DataView(message.buffer);
    // The last four fields: the count, then text, binary, text.
    expect([-8, -6, -4, -2].map((back) => view.getInt16(message.byteLength + back))).toEqual([3, 0, 1, 0]);
    expect(view.getInt32(1)).toBe(message.byteLength - 1);
  });
});
