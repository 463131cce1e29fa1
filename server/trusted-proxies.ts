import { BlockList, isIP } from 'node:net';

/** The reverse proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES). */
export interface TrustedProxies {
  includes(address: string): boolean;
}

/** A list of addresses and CIDR ranges ("10.0.0.0/8, ::1"); throws a message naming the bad entry. */
export function parseTrustedProxies(list: string): TrustedProxies {
  const blocks = new BlockList();
  for (const entry of list.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? null : Number(prefix);
    if (!family || extra !== undefined || (bits !== null && (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)))) {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === null) blocks.addAddress(address, type);
    else blocks.addSubnet(address, bits, type);
  }
  return { includes: (address) => blocks.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4') };
}
