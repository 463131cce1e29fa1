import postgres from 'postgres';
import type { Driver, Row } from './sql.ts';

export interface PostgresOptions {
  url: string;
  /** Search path for this connection pool; tests use one schema per run. */
  schema?: string;
  max?: number;
}

type PgSql = postgres.Sql | postgres.TransactionSql;

// postgres.js infers bytea only from Buffer; Yjs hands us plain Uint8Arrays.
const toParam = (value: unknown) =>
  value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;

function driverFor(pg: PgSql, inTransaction: boolean, max = 1): Driver {
  const driver: Driver = {
    async query(text, params) {
      const rows = await pg.unsafe(text, params.map(toParam) as postgres.ParameterOrJSON<never>[]);
      return rows as unknown as Row[];
    },
    async script(text) {
      await pg.unsafe(text);
    },
    begin(fn) {
      // A nested begin joins the open transaction, matching the PGlite driver.
      if (inTransaction) return fn(driver);
      return (pg as postgres.Sql).begin((tx) => fn(driverFor(tx, true))) as Promise<never>;
    },
  };
  // A query's first run on a connection reads the catalog of every table it touches into that backend, and postgres.js
  // hands each query to the connection idle the longest, so a warm-up through the pool left most connections cold:
  // all connections but one are reserved at once, then each runs `fn`. The one left over is the pool's: code under
  // `fn` that reaches the pool itself (a store wrapping the SQL one, say) then waits for it instead of for itself,
  // which with every connection reserved held start-up forever.
  if (!inTransaction && max > 1) {
    driver.everyConnection = async (fn) => {
      const reserved = await Promise.all(Array.from({ length: max - 1 }, () => (pg as postgres.Sql).reserve()));
      try {
        await Promise.all(reserved.map((connection) => fn(driverFor(connection, false))));
      } finally {
        for (const connection of reserved) connection.release();
      }
    };
  }
  return driver;
}

/**
 * Connections of their own for urgent queries (see Sql.urgent): a live edit's
 * commit, which everyone in its room waits for, and nothing that holds a
 * connection long. With one pool, a reconnect storm's session, access and
 * load queries could fill every connection and its queue, and another room's
 * commits waited behind them (150–300 ms in a storm of 2,000 clients). A few
 * are enough: each room has one commit batch in flight.
 */
const URGENT_CONNECTIONS = 3;

export function openPostgres(options: PostgresOptions): { driver: Driver; close: () => Promise<void> } {
  const max = options.max ?? 10;
  const settings = {
    onnotice: () => {},
    // int8 (counts, bigserial ids) as numbers: our values stay far below 2^53.
    types: { bigint: { to: 20, from: [20], parse: (x: string) => Number(x), serialize: (x: number) => String(x) } },
    connection: options.schema ? { search_path: options.schema } : {},
    // After an outage, editing must resume within seconds of the database returning: give up on a
    // connection attempt after 2 s (default 30) and retry at most half a second apart (the default
    // backoff grows to 20 s, so clients kept waiting long after PostgreSQL was back).
    connect_timeout: 2,
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
  };
  const pg = postgres(options.url, { max, ...settings });
  // postgres.js opens a pool's connections when queries first need them: one used only for commits costs nothing until then.
  const urgentPg = postgres(options.url, { max: URGENT_CONNECTIONS, ...settings });
  const driver = driverFor(pg, false, max);
  driver.urgent = driverFor(urgentPg, false);
  return {
    driver,
    close: async () => {
      await Promise.all([pg.end({ timeout: 5 }), urgentPg.end({ timeout: 5 })]);
    },
  };
}
