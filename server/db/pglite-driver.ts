import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import type { Driver, Row } from './sql.ts';

type Queryable = PGlite | Transaction;

function driverFor(pg: Queryable, inTransaction: boolean): Driver {
  const driver: Driver = {
    async query(text, params) {
      return (await pg.query<Row>(text, params)).rows;
    },
    async script(text) {
      await pg.exec(text);
    },
    begin(fn) {
      if (inTransaction) return fn(driver);
      return (pg as PGlite).transaction((tx) => fn(driverFor(tx, true)));
    },
  };
  return driver;
}

/** Opens embedded PostgreSQL; `dataDir` undefined keeps it in memory (tests). */
export async function openPglite(dataDir?: string): Promise<{ driver: Driver; close: () => Promise<void> }> {
  const pg = await PGlite.create({
    dataDir,
    parsers: { [types.INT8]: (x: string) => Number(x) },
  });
  return { driver: driverFor(pg, false), close: () => pg.close() };
}
