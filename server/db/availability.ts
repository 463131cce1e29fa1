/**
 * Telling "the database is not reachable right now" from other failures, and
 * bounding how long a request waits for it. During a PostgreSQL restart or
 * outage, requests that need the database answer 503 with Retry-After within
 * their deadline instead of hanging in the driver or failing as a 500.
 */

export class DatabaseTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${ms} ms`);
  }
}

/** Rejects with DatabaseTimeout after `ms`; the query itself is left to finish or fail on its own. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeout(what, ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

// Socket errors, postgres.js connection errors, and PostgreSQL's "connection exception",
// "operator intervention" (shutdown, starting up) and "insufficient resources" classes.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
const UNAVAILABLE_SQLSTATE = /^(08|57P|53)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseTimeout) return true;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code));
}
