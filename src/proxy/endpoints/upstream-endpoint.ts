// One connectable pod address. Built once per endpoint-set change (never per request), so every string the hot
// path needs (the pool key) is precomputed here.
import { isIPv6 } from 'node:net';

export interface UpstreamEndpoint {
  /** `ip:port`, IPv6 in brackets (`[fd00::1]:8080`): identity for de-duplication and for the upstream pool. */
  readonly key: string;
  /** The bare IP as it appears in the EndpointSlice (no brackets): what a socket connects to. */
  readonly address: string;
  readonly port: number;
}

export function upstreamEndpoint(address: string, port: number): UpstreamEndpoint {
  // RFC 3986 §3.2.2: an IPv6 literal in an authority must be bracketed, otherwise its colons read as the port.
  const host = isIPv6(address) ? `[${address}]` : address;
  const key = `${host}:${port}`;
  return Object.freeze({ key, address, port });
}
