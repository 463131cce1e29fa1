/**
 * Queries on embedded PGlite as named prepared statements, each execution in
 * one call into PostgreSQL. PGlite's own `query` sends Parse, Describe, Bind,
 * Describe, Execute and Sync as six calls into its WebAssembly, and parses
 * and plans the text every time; a session lookup cost ~100 µs of the
 * server's thread that way and ~45 µs prepared (one Bind/Describe/Execute/
 * Sync message, a plan PostgreSQL may keep). postgres.js prepares its
 * statements the same way, so both databases plan alike.
 *
 * A statement is prepared the first time its text is run (Parse and Describe
 * give its parameter types, which pick each value's serializer, as in
 * PGlite's own path) and kept for the most recent STATEMENTS texts; the ones
 * pushed out are closed with the next execution.
 */
import { parse, protocol, types, type messages, type PGlite } from '@electric-sql/pglite';
import { AnswerBytes, readAnswer, type ColumnParsers } from './backend-answer.ts';
import { encodeBind, type ResultFormats } from './bind-message.ts';
import type { Row } from './sql.ts';

/** Distinct texts kept prepared; the server runs a few hundred, plus one per batch size of a multi-row insert. */
const STATEMENTS = 500;

interface Statement {
  name: string;
  paramTypes: number[];
  /** Binary for its bytea columns (see backend-answer.ts), or null when it returns none: text throughout. */
  resultFormats: ResultFormats | null;
}

/** Result formats asking for bytea columns as bytes, from the statement's described columns. */
function resultFormatsOf(described: messages.BackendMessage[]): ResultFormats | null {
  const description = described.find((message): message is messages.RowDescriptionMessage => message.name === 'rowDescription');
  const columns = description?.fields ?? [];
  if (!columns.some((column) => column.dataTypeID === types.BYTEA)) return null;
  return columns.map((column) => (column.dataTypeID === types.BYTEA ? 1 : 0));
}

const { serialize } = protocol;

/** An error PostgreSQL answered (it has a SQLSTATE code), as opposed to one in PGlite or in this code. */
const isDatabaseError = (error: unknown): error is Error & { code: string } => error instanceof Error && typeof (error as { code?: unknown }).code === 'string';

/** A statement PostgreSQL planned for tables that have changed shape since: prepared again, once. */
const isStalePlan = (error: unknown) => (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));

export class PreparedStatements {
  readonly #pg: PGlite;
  readonly #statements = new Map<string, Statement>();
  /** Closes owed for statements pushed out, sent ahead of the next execution. */
  #closes: Uint8Array[] = [];
  #counter = 0;

  constructor(pg: PGlite) {
    this.#pg = pg;
  }

  /**
   * Runs `text` with `params`. `inTransaction`: the caller already holds
   * PGlite's transaction (its own queries are run from inside it); otherwise
   * this waits, like `PGlite.query`, for any transaction to finish.
   */
  async run(text: string, params: unknown[], inTransaction = false): Promise<Row[]> {
    // As PGlite's own query: a closed database says so, instead of failing inside its WebAssembly. A transaction's
    // query is queued at once instead: whether its transaction is still open was checked just before (see the driver).
    if (!inTransaction) await this.#pg._checkReady();
    const run = () => this.#pg._runExclusiveQuery(() => this.#execute(text, params, inTransaction));
    try {
      return await (inTransaction ? run() : this.#pg._runExclusiveTransaction(run));
    } catch (error) {
      // Which query failed, as PGlite's own path says (the log keeps the text, never the values: see log.ts).
      if (isDatabaseError(error)) Object.assign(error, { query: text });
      throw error;
    }
  }

  async #execute(text: string, params: unknown[], inTransaction: boolean, retried = false): Promise<Row[]> {
    const statement = this.#statements.get(text) ?? (await this.#prepare(text));
    // Most recently used last: the first key is the one to push out.
    this.#statements.delete(text);
    this.#statements.set(text, statement);
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.#pg.serializers[statement.paramTypes[i]];
      return (serializer ? serializer(value) : String(value)) as string | Uint8Array;
    });
    const closes = this.#takeCloses();
    const bind = encodeBind(statement.name, values, statement.resultFormats ?? []);
    const message = Buffer.concat([...closes, bind, serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
    try {
      if (statement.resultFormats) return await this.#exchangeForRows(message);
      return parse.parseResults(await this.#exchange(message), this.#pg.parsers)[0].rows as Row[];
    } catch (error) {
      // PostgreSQL ran the closes before the statement failed; anything else may have stopped before them.
      if (!isDatabaseError(error)) this.#closes.unshift(...closes);
      // In a transaction the failure has aborted it: preparing again would only fail with "transaction aborted".
      if (retried || inTransaction || !isStalePlan(error)) throw error;
      this.#forget(text);
      return this.#execute(text, params, inTransaction, true);
    }
  }

  /**
   * One batch of messages in, the answers parsed as they come: PGlite's
   * `execProtocol` also copies the raw answer twice into buffers, which
   * made reading 20 rows of a megabyte about twice as slow.
   */
  #exchange(message: Uint8Array) {
    return this.#pg.execProtocolStream(message, { syncToFs: false });
  }

  /** The answer as it comes out of PostgreSQL, read by our own reader: PGlite's would read binary columns as text. */
  async #exchangeForRows(message: Uint8Array): Promise<Row[]> {
    const answer = new AnswerBytes();
    await this.#pg.execProtocolRawStream(message, { syncToFs: false, onRawData: answer.add });
    // PGlite's parsers by type oid: its defaults, ours over them, and its array types.
    return readAnswer(answer.bytes(), this.#pg.parsers as ColumnParsers);
  }

  async #prepare(text: string): Promise<Statement> {
    const name = `warroom_${++this.#counter}`;
    const message = Buffer.concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]);
    const described = await this.#exchange(message);
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(described), resultFormats: resultFormatsOf(described) };
    this.#statements.set(text, statement);
    if (this.#statements.size > STATEMENTS) this.#forget(this.#statements.keys().next().value!);
    return statement;
  }

  #forget(text: string): void {
    const statement = this.#statements.get(text);
    if (!statement) return;
    this.#statements.delete(text);
    this.#closes.push(serialize.close({ type: 'S', name: statement.name }));
  }

  #takeCloses(): Uint8Array[] {
    const closes = this.#closes;
    this.#closes = [];
    return closes;
  }

  /** How many texts are prepared now (for tests). */
  get size(): number {
    return this.#statements.size;
  }
}
