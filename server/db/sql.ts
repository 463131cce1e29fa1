/**
 * The one query interface the whole server uses, so the same SQL runs on
 * PostgreSQL (postgres.js) and on embedded PGlite. It mirrors postgres.js:
 * a tagged template whose values always become bind parameters, plus
 * `begin` for transactions. JSON goes in as a plain object or array with an
 * explicit cast (`${value}::jsonb`); both drivers serialise it themselves. Domain functions take `sql` first, so they run
 * unchanged inside or outside a transaction.
 */
export type Row = Record<string, unknown>;

/** A piece of SQL with its parameters, composable into a larger query. */
export class Fragment {
  readonly strings: readonly string[];
  readonly values: readonly unknown[];
  constructor(strings: readonly string[], values: readonly unknown[]) {
    this.strings = strings;
    this.values = values;
  }
}

export interface Sql {
  <T = Row>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]>;
  /** Runs `fn` in a transaction; commits when it resolves, rolls back when it throws. */
  begin<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Runs a script of several statements with no parameters (migrations only). */
  script(text: string): Promise<void>;
  /**
   * Runs `fn` once on each of the pool's connections but one (opening them),
   * at the same time; once on a single-connection database. For warming up:
   * what a query costs the first time (its plan, the catalog it reads) is
   * paid per connection. Everything else shares the one connection left
   * until every `fn` has finished.
   */
  everyConnection(fn: (sql: Sql) => Promise<unknown>): Promise<void>;
  /**
   * The same database, for queries others are waiting on (a live edit's
   * commit): on a single-connection database they go before the queries
   * still queued; with PostgreSQL they have a few connections of their own,
   * so a pool full of other work (a reconnect storm's) never holds them.
   */
  readonly urgent: Sql;
}

export interface Driver {
  query(text: string, params: unknown[]): Promise<Row[]>;
  script(text: string): Promise<void>;
  begin<T>(fn: (tx: Driver) => Promise<T>): Promise<T>;
  /** See Sql.everyConnection; a driver with one connection leaves it out. */
  everyConnection?(fn: (connection: Driver) => Promise<unknown>): Promise<void>;
  /** See Sql.urgent; a driver that cannot put these first leaves it out. */
  urgent?: Driver;
}

/** `frag\`state = ${s}\`` builds a fragment to splice into a query. */
export function frag(strings: TemplateStringsArray, ...values: unknown[]): Fragment {
  return new Fragment(strings, values);
}

/** Joins fragments with a separator, e.g. `join(conditions, ' and ')`. */
export function join(parts: Fragment[], separator: string): Fragment {
  if (parts.length === 0) return new Fragment([''], []);
  const strings: string[] = [''];
  const values: unknown[] = [];
  parts.forEach((part, i) => {
    if (i > 0) strings[strings.length - 1] += separator;
    strings[strings.length - 1] += part.strings[0];
    for (let j = 0; j < part.values.length; j++) {
      values.push(part.values[j]);
      strings.push(part.strings[j + 1]);
    }
  });
  return new Fragment(strings, values);
}

/** Flattens a template with nested fragments into `$n` text and a parameter list. */
export function compile(strings: readonly string[], values: readonly unknown[]): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  let text = '';
  const walk = (s: readonly string[], v: readonly unknown[]) => {
    text += s[0];
    for (let i = 0; i < v.length; i++) {
      const value = v[i];
      if (value instanceof Fragment) walk(value.strings, value.values);
      else {
        params.push(value === undefined ? null : value);
        text += `$${params.length}`;
      }
      text += s[i + 1];
    }
  };
  walk(strings, values);
  return { text, params };
}

export function createSql(driver: Driver): Sql {
  const sql = ((strings: TemplateStringsArray, ...values: unknown[]) => {
    const { text, params } = compile(strings, values);
    return driver.query(text, params);
  }) as Sql & { urgent: Sql };
  sql.urgent = driver.urgent ? createSql(driver.urgent) : sql;
  sql.begin = (fn) => driver.begin((tx) => fn(createSql(tx)));
  sql.script = (text) => driver.script(text);
  sql.everyConnection = async (fn) => {
    if (driver.everyConnection) await driver.everyConnection((connection) => fn(createSql(connection)));
    else await fn(sql);
  };
  return sql;
}
