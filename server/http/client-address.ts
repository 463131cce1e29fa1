import type { Context } from 'hono';
import type { AppEnv } from './context.ts';

/**
 * The peer address of the TCP connection. Forwarded headers are ignored on
 * purpose: without a trusted proxy list they would let anyone pick the
 * address the login rate limit counts against.
 */
export function clientAddress(c: Context<AppEnv>): string {
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
