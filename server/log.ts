import pino from 'pino';
import type { Config } from './config.ts';

export type Logger = pino.Logger;

/**
 * JSON lines on stdout. Redaction is a second line of defence: nothing should
 * pass a password, token or cookie to the logger in the first place.
 */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie', 'headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}
