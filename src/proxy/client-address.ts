// The client address every stage uses (rate-limit key, X-Real-IP / X-Forwarded-For sent upstream, access log),
// after real-IP processing as ingress-nginx does it with use-forwarded-headers: nginx's realip module with
// `real_ip_header X-Forwarded-For; real_ip_recursive on; set_real_ip_from <--trusted-proxies>`.
// With no --trusted-proxies (the default) the client is the TCP peer and the only cost is a null check: a
// client-supplied X-Forwarded-For is unverified and must never choose the rate-limit key.
import type { IncomingMessage } from 'node:http';
import { isIP, type BlockList } from 'node:net';
import { blockListOf } from '../router/block-list.ts';
import type { ProxyContext } from './proxy-context.ts';
import { localPortOf } from './route-request.ts';

/** The TCP peer as nginx's $remote_addr shows it: IPv4-mapped IPv6 (dual-stack listeners) unwrapped. */
export function peerAddressOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** --trusted-proxies, parsed once at start into a BlockList (node's native CIDR matcher). */
export class TrustedProxies {
  readonly cidrs: readonly string[];
  readonly #list: BlockList;

  /** Throws on an invalid CIDR or address (the CLI validates first). */
  constructor(cidrs: readonly string[]) {
    this.cidrs = cidrs;
    this.#list = blockListOf(cidrs);
  }

  has(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * realip with real_ip_recursive on: walk X-Forwarded-For from the right, skipping trusted addresses; the first
   * untrusted one is the client. An element that is not an address stops the walk at the last good one (nginx
   * keeps the previous address when a value does not parse); all trusted → the leftmost.
   */
  clientFrom(peer: string, forwardedFor: string): string {
    let client = peer;
    let end = forwardedFor.length;
    while (end > 0) {
      const comma = forwardedFor.lastIndexOf(',', end - 1);
      const candidate = forwardedFor.slice(comma + 1, end).trim();
      end = comma === -1 ? 0 : comma;
      if (candidate === '') continue;
      if (isIP(candidate) === 0) return client;
      client = candidate;
      if (!this.has(candidate)) return client;
    }
    return client;
  }
}

/** What a trusted peer told us about the original request (use-forwarded-headers); absent values stay ours. */
export interface ForwardedByProxy {
  address: string;
  /** X-Forwarded-Proto (first value), or null. */
  proto: string | null;
  /** X-Forwarded-Port, or null. */
  port: string | null;
}

/**
 * The client address of `req`. `trusted` null (the default): the TCP peer, nothing else read. Otherwise, when the
 * peer is trusted, X-Forwarded-For decides (several XFF headers are joined as nginx joins them).
 */
export function clientAddressOf(req: IncomingMessage, trusted: TrustedProxies | null): string {
  const peer = peerAddressOf(req);
  if (trusted === null || !trusted.has(peer)) return peer;
  return forwardedBy(req, trusted, peer).address;
}

/** For a request whose peer is trusted (check with `trusted.has` first): address, proto and port it forwarded. */
export function forwardedBy(req: IncomingMessage, trusted: TrustedProxies, peer: string): ForwardedByProxy {
  const raw = req.rawHeaders;
  let xff: string | undefined;
  let proto: string | null = null;
  let port: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'x-forwarded-for') xff = xff === undefined ? raw[i + 1]! : `${xff}, ${raw[i + 1]!}`;
    else if (name === 'x-forwarded-proto') proto ??= firstToken(raw[i + 1]!);
    else if (name === 'x-forwarded-port') port ??= raw[i + 1]!.trim();
  }
  const address = xff === undefined ? peer : trusted.clientFrom(peer, xff);
  // Only values that cannot break a header or a URL are taken over; anything else keeps our own.
  return {
    address,
    proto: proto === 'http' || proto === 'https' ? proto : null,
    port: port !== null && /^\d{1,5}$/.test(port) ? port : null,
  };
}

function firstToken(value: string): string {
  const comma = value.indexOf(',');
  return (comma === -1 ? value : value.slice(0, comma)).trim().toLowerCase();
}

/** The forwarded-header facts of one request (the ForwardedContext of headers/request-headers.ts, upgrade aside). */
export interface ForwardedFacts {
  host: string;
  clientAddress: string;
  localPort: string;
  scheme: 'http' | 'https';
  upstreamHost: string | null;
}

/**
 * The forwarded-header facts for `req` (ForwardedContext of headers/request-headers.ts): address, port and scheme
 * are ours unless a trusted proxy sent them (ingress-nginx use-forwarded-headers honours X-Forwarded-Proto/-Port).
 * Computed once per request by request-flow.ts, which passes it to the rate limit, the headers and the access log.
 */
export function forwardedContextOf(
  ctx: ProxyContext,
  req: IncomingMessage,
  host: string,
  upstreamHost: string | null,
): ForwardedFacts {
  const peer = peerAddressOf(req);
  const trusted = ctx.trustedProxies;
  if (trusted === null || !trusted.has(peer)) {
    return { host, clientAddress: peer, localPort: localPortOf(req), scheme: ctx.scheme, upstreamHost };
  }
  const forwarded = forwardedBy(req, trusted, peer);
  const scheme = forwarded.proto === 'https' || forwarded.proto === 'http' ? forwarded.proto : ctx.scheme;
  return { host, clientAddress: forwarded.address, localPort: forwarded.port ?? localPortOf(req), scheme, upstreamHost };
}
