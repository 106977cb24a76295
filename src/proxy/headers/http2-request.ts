// What differs when the client spoke HTTP/2 (node:http2's compatibility API) and the pod speaks HTTP/1.1:
// the virtual host is `:authority`, the body has no framing headers, and cookies arrive split. Only called for
// HTTP/2 requests (one version check in the caller), so HTTP/1.1 pays nothing for any of this.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { hostHeaderOf, type RequestFacts } from './request-headers.ts';

/** The Host a request is routed by: one version check, HTTP/1.1's Host header otherwise. */
export function requestHostOf(req: IncomingMessage): string | undefined | null {
  return req.httpVersionMajor === 2 ? authorityOf(req.rawHeaders) : hostHeaderOf(req.rawHeaders);
}

/**
 * The request's authority as ingress-nginx takes it: `:authority`, else the Host header. `null` (→ 400) when
 * both are present and differ: RFC 9113 §8.3.1 says to treat that as malformed, and it is the HTTP/2 form of
 * the duplicate-Host ambiguity (the router and the pod would disagree about the virtual host).
 */
export function authorityOf(raw: readonly string[]): string | undefined | null {
  let authority: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) !== 0x3a /* ':' */) break; // pseudo-headers precede all others (RFC 9113 §8.3)
    if (name === ':authority') authority = raw[i + 1]!;
  }
  const host = hostHeaderOf(raw);
  if (authority === undefined || host === null) return host;
  if (host !== undefined && host.toLowerCase() !== authority.toLowerCase()) return null;
  return authority;
}

/**
 * Completes an upstream header list built from an HTTP/2 request. The body: HTTP/2 has no Transfer-Encoding, so
 * a body without Content-Length is only visible as "the HEADERS frame did not end the stream" — undici then
 * sends it chunked. Cookies: HTTP/2 may split them into several fields, which RFC 9113 §8.2.3 requires joining
 * with "; " before passing them to an HTTP/1.1 connection.
 */
export function adaptHttp2Request(req: IncomingMessage, headers: string[], facts: RequestFacts): void {
  if (!facts.hasBody && !(req as unknown as Http2ServerRequest).stream.endAfterHeaders) facts.hasBody = true;
  let first = -1;
  let write = 0;
  for (let read = 0; read < headers.length; read += 2) {
    if (headers[read]!.toLowerCase() === 'cookie') {
      if (first !== -1) {
        headers[first + 1] = `${headers[first + 1]}; ${headers[read + 1]}`;
        continue;
      }
      first = write;
    }
    headers[write] = headers[read]!;
    headers[write + 1] = headers[read + 1]!;
    write += 2;
  }
  headers.length = write;
}
