import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import { PreparedStatements } from './pglite-statements.ts';
import { slicer } from '../threads/slices.ts';
import type { Driver, Row } from './sql.ts';
import { isWal, WalFlusher } from './wal-flush.ts';

type Queryable = PGlite | Transaction;

/**
 * PGlite runs each query on this thread, and queued queries follow one
 * another in microtasks, so a burst (fifty websocket handshakes checking
 * their sessions) ran as one block and nothing else was answered meanwhile.
 * Queries outside a transaction now take turns, each after a turn of the
 * event loop, so the requests and messages that arrived in between go first.
 * A transaction waits in the same line as a query (see begin). Its own
 * queries are not queued: it holds PGlite's connection, and queueing them
 * behind queries waiting for it would deadlock. They run one after another
 * for a slice of the thread (see slices.ts), then wait for
 * the next turn: every query waits while a transaction is open, a live
 * edit's commit too, and a turn before each of them made closing an incident
 * (seven small queries) hold the database for 54–101 ms on a busy server.
 *
 * Except a query that finds the database idle for a whole turn: nobody's
 * query is waiting for it to go first, and while a large change was applied
 * in slices that turn cost a member's keystroke commit a slice (10–20 ms on
 * a shared core). A query that follows another within the same turn (a
 * burst, or a loop of reads) still waits for the next one.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `run` in its turn; an urgent one goes before every query still waiting (not before the one running). */
type Line = <T>(run: () => Promise<T>, urgent?: boolean) => Promise<T>;

interface Queued {
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * One query at a time, in order, except that urgent ones (a live edit's
 * commit: everyone in that room waits for it) go before the ordinary ones
 * still waiting. During a reconnect storm thousands of upgrades' session,
 * access and load queries are queued, and a keystroke in another war room
 * waited behind all of them (400 ms at 2,000 reconnecting clients).
 *
 * An urgent query's caller gets its result once its WAL is on disk (a
 * flush on the thread pool), and only then sends the edit to the room. An
 * ordinary query after it waits until the edit has gone out: started at the
 * next turn, it ran on this thread while the flush was still going, and the
 * keystroke was sent only after it (a publication's 38-46 ms search
 * statement, after the publication's transaction the keystroke had already
 * waited for).
 */
function createLine(wal: WalFlusher | null): Line {
  const urgentQueue: Queued[] = [];
  const queue: Queued[] = [];
  let running = false;
  /** Until the last urgent query's result has been handed to its caller (its WAL flushed): ordinary queries wait. */
  let reporting: Promise<void> | null = null;
  /** Whether a query was queued or ran in the current turn of the event loop. */
  let busyThisTurn = false;
  const markTurn = () => {
    if (busyThisTurn) return;
    busyThisTurn = true;
    setImmediate(() => (busyThisTurn = false));
  };
  const pump = async (now: boolean) => {
    running = true;
    if (!now) await nextTurn();
    for (;;) {
      if (urgentQueue.length === 0 && queue.length > 0 && reporting) {
        await reporting;
        continue;
      }
      const urgent = urgentQueue.length > 0;
      const next = urgentQueue.shift() ?? queue.shift();
      if (!next) break;
      markTurn();
      // Its outcome, error included, goes to its own caller; the line goes on.
      await next.run().then(next.resolve, next.reject);
      if (urgent && wal) {
        // A failed flush reaches the commit's caller; here it only ends the wait. Two turns: a room sends its
        // commits at the end of the turn in which it learnt of them (see fan-out.ts), a turn that may still be under way.
        const settled: Promise<void> = wal
          .durable()
          .catch(() => {})
          .then(nextTurn)
          .then(nextTurn)
          .then(() => {
            if (reporting === settled) reporting = null;
          });
        reporting = settled;
      }
      if (urgentQueue.length + queue.length > 0) await nextTurn();
    }
    running = false;
  };
  return <T>(run: () => Promise<T>, urgent = false) =>
    new Promise<T>((resolve, reject) => {
      const idle = !running && !busyThisTurn;
      markTurn();
      (urgent ? urgentQueue : queue).push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!running) void pump(idle);
    });
}

/**
 * `wal`: on disk, a query's result waits for the WAL it wrote to be flushed (see wal-flush.ts).
 * `tx`: the transaction this driver's queries run in, whose own statements go straight in.
 */
function driverFor(pg: PGlite, statements: PreparedStatements, inTurn: Line | null, wal: WalFlusher | null, tx: Transaction | null = null, open: { now: boolean } | null = null): Driver {
  const durable = async <T>(result: T): Promise<T> => {
    await wal?.durable();
    return result;
  };
  // A transaction holds the database that live commits wait for: its pauses never wait for them.
  const pause = tx ? slicer(undefined, { giveWay: false }) : nextTurn;
  const queryIn = (urgent: boolean) =>
    async function query(text: string, params: unknown[]): Promise<Row[]> {
      if (inTurn) return durable(await inTurn(() => statements.run(text, params), urgent));
      await pause();
      // As PGlite's own transaction object: a query left running after its transaction ended must not land in the next one.
      // `open` ends as the transaction's function returns, before its COMMIT is queued; checked and queued in one go.
      if (open?.now === false) throw new Error('Transaction is closed');
      return statements.run(text, params, tx !== null);
    };
  const target: Queryable = tx ?? pg;
  const driver: Driver = {
    query: queryIn(false),
    async script(text) {
      await target.exec(text);
      await wal?.durable();
    },
    async begin(fn) {
      if (!inTurn) return fn(driver);
      // In the line like a query: it holds the connection for all of its statements, so a live edit's commit
      // waiting for its turn goes first (a publication's transaction, 23–58 ms, made a keystroke wait that long too).
      return durable(
        await inTurn(() =>
          pg.transaction(async (inner) => {
            const open = { now: true };
            try {
              return await fn(driverFor(pg, statements, null, null, inner, open));
            } finally {
              open.now = false;
            }
          }),
        ),
      );
    },
  };
  if (inTurn) driver.urgent = { ...driver, query: queryIn(true) };
  return driver;
}

/** The part of Emscripten's NODEFS we patch: file streams and their node file descriptors. */
interface NodeFsModule {
  NODEFS: {
    stream_ops: {
      fsync?: (stream: { nfd?: number; path?: string }) => void;
      /** `buffer` is a view of the WebAssembly heap (an Int8Array). */
      write: (stream: { path?: string }, buffer: ArrayBufferView, offset: number, length: number, ...rest: unknown[]) => number;
    };
  };
}

/**
 * PGlite's files on the real file system, with a working fsync. Out of the
 * box a committed transaction is only in the OS page cache: PGlite starts
 * PostgreSQL with -F (fsync off), and its Emscripten layer turns fsync()
 * into a no-op on NODEFS (and fdatasync() always). A kill -9 loses nothing
 * that way, but a power cut or an OS crash could lose updates that had
 * already been sent to other clients. So: fsync on, WAL flushed with fsync()
 * (the call we can reach), and NODEFS's fsync doing a real one, the WAL's
 * off the event loop (see wal-flush.ts).
 */
class DurableNodeFS extends NodeFS {
  readonly wal = new WalFlusher();

  override async init(pg: PGlite, options: Parameters<NodeFS['init']>[1]) {
    const { emscriptenOpts } = await super.init(pg, options);
    const syncFiles = (mod: unknown) => {
      const ops = (mod as NodeFsModule).NODEFS.stream_ops;
      ops.fsync = (stream) => {
        if (stream.nfd !== undefined) this.wal.fsync(stream.nfd, stream.path);
      };
      const write = ops.write;
      ops.write = (stream, buffer, offset, length, ...rest) => {
        if (!isWal(stream.path)) this.wal.beforeDataWrite(new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length));
        return write.call(ops, stream, buffer, offset, length, ...rest);
      };
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), syncFiles] } };
  }
}

/**
 * PostgreSQL's buffer pool lives in PGlite's WebAssembly memory, which never
 * shrinks, and PGlite touches all of it at start: the default 128 MB grew
 * that memory from 128 to 189 MiB and made 151 MiB of it resident before the
 * first query (16 MB: 128 MiB, about 30 MiB resident), in a server whose whole
 * resident set was about 500 MiB. A page outside the pool is one read of an
 * ordinary file, which the OS page cache already holds, so the larger pool
 * kept a second copy of the same pages. wal_buffers would follow the pool
 * down to 512 kB; it keeps the 4 MB it had, so commits write their WAL as
 * before.
 */
const MEMORY_PARAMS = ['-c', 'shared_buffers=16MB', '-c', 'wal_buffers=4MB'];

const START_PARAMS = [...PGlite.defaultStartParams, ...MEMORY_PARAMS];
const DURABLE_START_PARAMS = [...START_PARAMS.filter((param) => param !== '-F'), '-c', 'fsync=on', '-c', 'wal_sync_method=fsync'];

/**
 * bytea goes into PGlite as bytes, in the protocol's binary format: a value a
 * serializer returns as a Uint8Array is bound as binary, and binary bytea is
 * the raw bytes. Its own codec built one string per byte (a 10 MB document
 * took seconds to store), and even a hex string made by Node was then walked
 * twice, a character at a time, by the protocol writer to count and encode
 * it: 3.6 s of a run that wrote 100 changes of 330 kB each.
 */
export function serializeBytea(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError('bytea parameters must be a Uint8Array');
  return value;
}

/**
 * Long text and jsonb go into PGlite as UTF-8 bytes in the protocol's binary
 * format (for text exactly its UTF-8; for jsonb a version byte, 1, then
 * its text), encoded by Node at once. As strings, PGlite's protocol writer
 * walked each one a character at a time to count its UTF-8 length before
 * encoding it: publishing a 1.3 MB postmortem version held the server's
 * thread 37 ms in that loop alone (an insert of 2.6 MB of parameters took
 * 29–37 ms as strings, 18–28 as bytes). Short values keep PGlite's own path.
 */
const BINARY_TEXT_FROM = 16 * 1024;
const utf8 = new TextEncoder();

function utf8Bytes(text: string, prefix: number | null): Uint8Array {
  const offset = prefix === null ? 0 : 1;
  const bytes = new Uint8Array(offset + text.length * 3);
  if (prefix !== null) bytes[0] = prefix;
  const { written } = utf8.encodeInto(text, bytes.subarray(offset));
  return bytes.subarray(0, offset + written);
}

export function serializeText(value: unknown): string | Uint8Array {
  if (typeof value === 'string') return value.length >= BINARY_TEXT_FROM ? utf8Bytes(value, null) : value;
  return value instanceof Date ? value.toISOString() : String(value);
}

/** jsonb's binary format: version 1, then the JSON text. */
export function serializeJsonb(value: unknown): string | Uint8Array {
  const text = typeof value === 'string' ? value : JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return text.length >= BINARY_TEXT_FROM ? utf8Bytes(text, 1) : text;
}

/** "\x0aff…" → bytes, in a buffer of their own (callers may transfer it to a worker). */
export function parseBytea(text: string): Uint8Array {
  const bytes = new Uint8Array((text.length - 2) / 2);
  Buffer.from(bytes.buffer).write(text.slice(2), 'hex');
  return bytes;
}

/** Opens embedded PostgreSQL; `dataDir` undefined keeps it in memory (tests), durable on disk otherwise. */
export async function openPglite(dataDir?: string): Promise<{ driver: Driver; close: () => Promise<void>; wasmMemoryBytes: () => number }> {
  const fs = dataDir ? new DurableNodeFS(dataDir) : null;
  const pg = await PGlite.create({
    ...(fs ? { fs, startParams: DURABLE_START_PARAMS } : { startParams: START_PARAMS }),
    parsers: { [types.INT8]: (x: string) => Number(x), [types.BYTEA]: parseBytea },
    // PGlite's types say serializers return strings; a Uint8Array is what its protocol writer binds as binary.
    serializers: {
      [types.BYTEA]: serializeBytea as unknown as (value: unknown) => string,
      [types.TEXT]: serializeText as (value: unknown) => string,
      [types.JSONB]: serializeJsonb as (value: unknown) => string,
    },
  });
  const wal = fs?.wal ?? null;
  return {
    driver: driverFor(pg, new PreparedStatements(pg), createLine(wal), wal),
    wasmMemoryBytes: () => pg.Module.wasmMemory.buffer.byteLength,
    close: async () => {
      await pg.close();
      wal?.syncNow();
    },
  };
}
