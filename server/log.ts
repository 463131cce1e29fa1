import pino from 'pino';
import type { Config } from './config.ts';

export type Logger = pino.Logger;

/** How much of a query's text names it in a log line (its values are parameters, never in the text). */
const QUERY_NAME_CHARS = 120;
const STACK_CHARS = 4000;
const MESSAGE_CHARS = 1000;

export interface LoggedError {
  type: string;
  message: string;
  code?: string;
  /** The start of the SQL that failed, whitespace collapsed. */
  query?: string;
  stack?: string;
  cause?: LoggedError;
}

/**
 * An error as a log line holds it: its message, code and which query failed,
 * never its other fields. Database errors carry the query's parameters
 * (PGlite sets `params`, postgres.js `parameters` and `args`): a failed
 * document write once put a third of a megabyte of bytea, and user text,
 * into one line.
 */
export function describeError(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error).slice(0, QUERY_NAME_CHARS) };
  const fields = error as Error & { code?: unknown; query?: unknown };
  // Bundled libraries' classes may be minified to a letter (PGlite's errors are "O"); their name then says more.
  const className = error.constructor?.name ?? '';
  const described: LoggedError = { type: className.length > 2 ? className : error.name, message: error.message.slice(0, MESSAGE_CHARS) };
  if (typeof fields.code === 'string' || typeof fields.code === 'number') described.code = String(fields.code);
  if (typeof fields.query === 'string') described.query = fields.query.replace(/\s+/g, ' ').trim().slice(0, QUERY_NAME_CHARS);
  if (error.stack) described.stack = error.stack.slice(0, STACK_CHARS);
  if (error.cause !== undefined && depth < 3) described.cause = describeError(error.cause, depth + 1);
  return described;
}

/**
 * JSON lines on stdout (or `destination`, for tests). Redaction is a second
 * line of defence: nothing should pass a password, token or cookie to the
 * logger in the first place.
 */
export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: (error: unknown) => describeError(error) },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie', 'headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
