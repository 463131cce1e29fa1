import { isIP } from 'node:net';
import type { Context } from 'hono';
import type { TrustedProxies } from '../trusted-proxies.ts';
import type { AppEnv } from './context.ts';

/**
 * The client's address. Without trusted proxies it is the TCP peer, and
 * forwarded headers are ignored: anyone could otherwise pick the address the
 * login limit counts against. When the peer is a listed proxy, the address
 * is the right-most X-Forwarded-For entry that is not itself a listed proxy
 * (entries further left were written by the client and prove nothing).
 */
export function clientAddress(c: Context<AppEnv>, trusted: TrustedProxies | null): string {
  const peer = normalise(c.env?.incoming?.socket?.remoteAddress ?? '');
  if (!peer) return 'unknown';
  if (!trusted || !trusted.includes(peer)) return peer;
  const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((hop) => normalise(hop.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i];
    if (!hop) break;
    if (!trusted.includes(hop)) return hop;
  }
  return peer;
}

/** IPv4 peers of a dual-stack socket arrive as ::ffff:a.b.c.d. */
function normalise(address: string): string {
  const bare = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return isIP(bare) ? bare : '';
}
