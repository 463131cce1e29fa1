/**
 * Rows read from PostgreSQL's own answer to one Bind/Describe/Execute/Sync,
 * for statements that ask for their bytea columns in binary format.
 *
 * PGlite reads every column as text: PostgreSQL hex-encodes a bytea inside
 * the WebAssembly, the protocol parser decodes that into a JavaScript string
 * twice the size and our parser decodes the hex again. Reading a war room's
 * 256 KiB page of stored segments took 1.3–1.7 ms that way and 0.3 ms as
 * bytes, and the half-megabyte strings on the server's heap drove V8's
 * incremental marking: with a large document in memory one read in three
 * took about 20 ms (as bytes, one in fifteen).
 *
 * Text columns are decoded and parsed by type as PGlite's own path does.
 * Messages other than the ones read here (bind and close completions, the
 * transaction status, notices) carry nothing a query's caller reads.
 */
import { protocol } from '@electric-sql/pglite';
import type { Row } from './sql.ts';

export type ColumnParsers = Record<number, ((text: string, typeId: number) => unknown) | undefined>;

const ROW_DESCRIPTION = 0x54; // 'T'
const DATA_ROW = 0x44; // 'D'
const ERROR_RESPONSE = 0x45; // 'E'
const BINARY = 1;

interface Column {
  name: string;
  typeId: number;
  binary: boolean;
}

const utf8 = new TextDecoder();

/** Collects an answer arriving in pieces that are views of PGlite's memory, valid only until the next piece. */
export class AnswerBytes {
  #pieces: Uint8Array[] = [];
  #length = 0;

  readonly add = (piece: Uint8Array): number => {
    this.#pieces.push(piece.slice());
    this.#length += piece.byteLength;
    return piece.byteLength;
  };

  bytes(): Uint8Array {
    if (this.#pieces.length === 1) return this.#pieces[0];
    const all = new Uint8Array(this.#length);
    let at = 0;
    for (const piece of this.#pieces) {
      all.set(piece, at);
      at += piece.byteLength;
    }
    return all;
  }
}

/** The rows of the one statement executed, or PostgreSQL's error, thrown as PGlite throws it. */
export function readAnswer(answer: Uint8Array, parsers: ColumnParsers): Row[] {
  const view = new DataView(answer.buffer, answer.byteOffset, answer.byteLength);
  const rows: Row[] = [];
  let columns: Column[] = [];
  let error: Error | null = null;
  for (let at = 0; at + 5 <= answer.byteLength; ) {
    const type = answer[at];
    const end = at + 1 + view.getInt32(at + 1);
    const body = at + 5;
    if (type === ROW_DESCRIPTION) columns = readColumns(answer, view, body);
    else if (type === DATA_ROW) rows.push(readRow(answer, view, body, columns, parsers));
    else if (type === ERROR_RESPONSE) error ??= readError(answer, body, end, end - at - 1);
    at = end;
  }
  if (error) throw error;
  return rows;
}

function cstringEnd(bytes: Uint8Array, at: number): number {
  const end = bytes.indexOf(0, at);
  if (end < 0) throw new Error('PostgreSQL answer ends inside a string');
  return end;
}

function readColumns(bytes: Uint8Array, view: DataView, at: number): Column[] {
  const count = view.getInt16(at);
  at += 2;
  const columns: Column[] = [];
  for (let i = 0; i < count; i++) {
    const nameEnd = cstringEnd(bytes, at);
    const name = utf8.decode(bytes.subarray(at, nameEnd));
    at = nameEnd + 1;
    // Table oid (4), column number (2), type oid (4), type size (2), type modifier (4), format (2).
    const typeId = view.getInt32(at + 6);
    const binary = view.getInt16(at + 16) === BINARY;
    at += 18;
    columns.push({ name, typeId, binary });
  }
  return columns;
}

function readRow(bytes: Uint8Array, view: DataView, at: number, columns: Column[], parsers: ColumnParsers): Row {
  const count = view.getInt16(at);
  at += 2;
  const row: Row = {};
  for (let i = 0; i < count; i++) {
    const length = view.getInt32(at);
    at += 4;
    const column = columns[i];
    if (length < 0) {
      row[column.name] = null;
      continue;
    }
    const value = bytes.subarray(at, at + length);
    at += length;
    // A binary column is a bytea (the only type asked for in binary), in a buffer of its own: callers may transfer it to a worker.
    if (column.binary) row[column.name] = value.slice();
    else {
      const text = utf8.decode(value);
      const parse = parsers[column.typeId];
      row[column.name] = parse ? parse(text, column.typeId) : text;
    }
  }
  return row;
}

/** Field codes of an ErrorResponse, named as PGlite's DatabaseError names them. */
const ERROR_FIELDS: Record<string, string> = {
  S: 'severity',
  C: 'code',
  D: 'detail',
  H: 'hint',
  P: 'position',
  p: 'internalPosition',
  q: 'internalQuery',
  W: 'where',
  s: 'schema',
  t: 'table',
  c: 'column',
  d: 'dataType',
  n: 'constraint',
  F: 'file',
  L: 'line',
  R: 'routine',
};

function readError(bytes: Uint8Array, at: number, end: number, length: number): Error {
  const fields: Record<string, string> = {};
  while (at < end && bytes[at] !== 0) {
    const code = String.fromCharCode(bytes[at]);
    const valueEnd = cstringEnd(bytes, at + 1);
    fields[code] = utf8.decode(bytes.subarray(at + 1, valueEnd));
    at = valueEnd + 1;
  }
  const error = new protocol.messages.DatabaseError(fields.M ?? 'unknown database error', length, 'error');
  for (const [code, property] of Object.entries(ERROR_FIELDS)) Object.assign(error, { [property]: fields[code] });
  return error;
}
