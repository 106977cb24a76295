// A CIDR / address list → node:net BlockList (node's native matcher), for limit-allowlist (router) and
// --trusted-proxies (proxy/client-address.ts).
import { BlockList, isIP } from 'node:net';

/** Throws on an entry that is not an address or `address/bits` (callers validate first). */
export function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits] = cidr.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`not an IP address or CIDR: ${cidr}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}
