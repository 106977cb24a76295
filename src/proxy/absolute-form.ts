// Absolute-form request targets (`GET http://shop.test/cart HTTP/1.1`), which HTTP/1.1 servers must accept
// (RFC 9112 §3.2.2) and forward proxies and some clients send. The RFC: "the origin server MUST ignore the
// received Host header field (if any) and instead use the host information of the request-target". nginx does:
// its $host, by which server blocks are chosen and which ingress-nginx sends upstream as Host, is the request
// line's host, and $request_uri is the path and query only.
//
// So the request is rewritten in place, once, before anything reads it: req.url becomes the origin-form target
// and the Host header the target's authority. Routing, redirects, the upstream request line and headers, error
// pages, metrics and the access log then all see the one virtual host, with no second code path. Anything else
// that does not start with '/' is left alone and answered 400 by routing (route-request.ts).
import type { IncomingMessage } from 'node:http';
import { rawHeaderIndex } from './headers/raw-header.ts';

// scheme "://" authority (no userinfo: nginx refuses it too) then the rest: path, query (a fragment is never sent).
const absoluteForm = /^https?:\/\/([^/?#@\s]+)([/?][^#]*)?$/i;

/**
 * Rewrites an HTTP/1 absolute-form request to origin-form plus Host. A no-op for anything else, including a
 * request with more than one Host header, which routing then refuses as nginx does ("duplicate host header").
 */
export function adoptAbsoluteForm(req: IncomingMessage): void {
  const target = req.url ?? '';
  if (target.charCodeAt(0) === 0x2f /* '/' */ || req.httpVersionMajor === 2) return;
  const match = absoluteForm.exec(target);
  if (match === null) return;
  const raw = req.rawHeaders;
  const hostAt = rawHeaderIndex(raw, 'host');
  if (hostAt !== -1 && rawHeaderIndex(raw, 'host', hostAt + 2) !== -1) return;
  const authority = match[1]!;
  const rest = match[2] ?? '';
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
  if (hostAt === -1) raw.push('Host', authority);
  else raw[hostAt + 1] = authority;
  // node:http may have built req.headers from rawHeaders already (it reads `expect` before the 'request' event).
  req.headers.host = authority;
}
