/**
 * `sql` as the code under test sees it, with every statement it sends told to
 * `onStatement` (its text parts and the result's promise), urgent ones too.
 * Transactions and scripts go to `sql`'s own; with `eachConnection`, each
 * connection `everyConnection` hands out is wrapped by it first. One place
 * builds these, so a test's Sql keeps every member the interface has.
 */
import type { Sql } from '../../server/db/sql.ts';

export function observedSql(
  sql: Sql,
  onStatement: (strings: TemplateStringsArray, result: Promise<unknown>) => void,
  eachConnection: (connection: Sql) => Sql = (connection) => connection,
): Sql {
  const observed = ((strings: TemplateStringsArray, ...values: unknown[]) => {
    const result = sql(strings, ...values);
    onStatement(strings, result);
    return result;
  }) as Sql & { urgent: Sql };
  observed.begin = (fn) => sql.begin(fn);
  observed.script = (text) => sql.script(text);
  observed.everyConnection = (fn) => sql.everyConnection((connection) => fn(eachConnection(connection)));
  observed.urgent = sql.urgent === sql ? observed : observedSql(sql.urgent, onStatement, eachConnection);
  return observed;
}
