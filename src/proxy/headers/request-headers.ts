// The header list a pod receives, built from the client's raw headers as ingress-nginx builds it by default
// (ingress-semantics.md §2.4). One pass over req.rawHeaders; the output is the flat [name, value, …] array
// undici takes as is, so no header object is ever materialised.
import { addConnectionTokens, isHopByHop, removeHeaders } from './hop-by-hop.ts';
import { rawHeaderIndex } from './raw-header.ts';
import { generateRequestId } from './request-id.ts';

/** What the pass learns about the request besides the headers. Filled in by buildRequestHeaders(). */
export interface RequestFacts {
  /** The request carries a body (Content-Length > 0 or any Transfer-Encoding). */
  hasBody: boolean;
  /** The declared Content-Length; -1 when there is none (chunked, HTTP/2 without one, or no body). */
  contentLength: number;
  /** The X-Request-ID sent upstream (incoming, or generated). */
  requestId: string;
  /** `Expect: 100-continue`: the client waits for a 100 before sending its body (request-handler.ts sends it). */
  expectsContinue: boolean;
}

/** Facts before buildRequestHeaders has read the request: no body, no Content-Length, no request id yet. */
export function newRequestFacts(): RequestFacts {
  return { hasBody: false, contentLength: -1, requestId: '', expectsContinue: false };
}

export interface ForwardedContext {
  /** The client's Host header, or HTTP/2 `:authority` ('' when absent): sent as Host and X-Forwarded-Host. */
  readonly host: string;
  readonly clientAddress: string;
  /** The listening port as a string (X-Forwarded-Port). */
  readonly localPort: string;
  readonly scheme: 'http' | 'https';
  /** The client's Upgrade value when this is an upgrade request (then Upgrade/Connection are sent). */
  readonly upgrade?: string;
  /** upstream-vhost: the Host sent upstream instead of the client's (X-Forwarded-Host stays the client's). */
  readonly upstreamHost?: string | null;
}

/**
 * Headers ingress-nginx sets itself (proxy_set_header): the client's copies are never passed, whatever their
 * case. X-Forwarded-For is *replaced* (not appended) as with ingress-nginx's default use-forwarded-headers=false:
 * a client-supplied XFF is unverified and would let anyone pick the "client IP" a pod logs or trusts.
 */
function isSetByProxy(lowerName: string): boolean {
  switch (lowerName) {
    case 'x-real-ip':
    case 'x-forwarded-host':
    case 'x-forwarded-port':
    case 'x-forwarded-proto':
    case 'x-forwarded-scheme':
    case 'x-scheme':
    case 'x-original-forwarded-for':
    case 'x-original-forwarded-host':
      return true;
    default:
      return false;
  }
}

export function buildRequestHeaders(raw: readonly string[], ctx: ForwardedContext, facts: RequestFacts): string[] {
  const out: string[] = [];
  let forwardedFor: string | undefined;
  let forwardedHost: string | undefined;
  let requestId: string | undefined;
  let listed: string[] | undefined;
  facts.hasBody = false;
  facts.contentLength = -1;
  // HTTP/2 pseudo-headers (:method, :path, :authority, :scheme) describe the request line, never a header to
  // forward; they precede every other field (RFC 9113 §8.3), so one check per request skips them.
  let i = raw.length > 0 && raw[0]!.charCodeAt(0) === 0x3a /* ':' */ ? pseudoHeaderEnd(raw) : 0;
  for (; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    // nginx's default ignore-invalid-headers drops names with '_': proxies disagree on whether `X_Foo` equals
    // `X-Foo` (CGI maps both to HTTP_X_FOO), which lets a client smuggle a header past a check on the other.
    if (lower.includes('_')) continue;
    if (lower === 'content-length') {
      if (value !== '0') facts.hasBody = true;
      // node:http has already refused a malformed or conflicting one (HPE_INVALID_CONTENT_LENGTH); for HTTP/2
      // anything unparsable reads as "not declared", and the body is counted as it streams instead.
      facts.contentLength = /^\d{1,15}$/.test(value) ? Number(value) : -1;
    } else if (lower === 'transfer-encoding') {
      facts.hasBody = true; // undici re-frames the body itself (chunked when no Content-Length)
      continue;
    } else if (lower === 'connection') {
      addConnectionTokens(value, (listed ??= []));
      continue;
    } else if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      continue;
    } else if (lower === 'x-request-id') {
      requestId ??= value;
      continue;
    } else if (lower === 'x-forwarded-host') {
      forwardedHost ??= value;
      continue;
    } else if (
      lower === 'host' ||
      // httpoxy (CVE-2016-5385): a `Proxy` header becomes HTTP_PROXY in CGI-style apps and redirects their
      // outbound calls; nginx's recommended mitigation clears it.
      lower === 'proxy' ||
      isHopByHop(lower) ||
      isSetByProxy(lower)
    ) {
      continue;
    } else if (lower === 'expect') {
      // Sluice answers `Expect: 100-continue` itself, once the request may go upstream (request-handler.ts); the
      // pod must not be asked a second time (and undici refuses to send the header).
      if (value.toLowerCase() === '100-continue') facts.expectsContinue = true;
      continue;
    }
    out.push(name, value);
  }
  if (listed !== undefined) removeHeaders(out, listed);
  facts.requestId = requestId ?? generateRequestId();
  appendForwarded(out, ctx, facts.requestId, forwardedFor, forwardedHost);
  return out;
}

function pseudoHeaderEnd(raw: readonly string[]): number {
  let i = 0;
  while (i < raw.length && raw[i]!.charCodeAt(0) === 0x3a) i += 2;
  return i;
}

function appendForwarded(
  out: string[],
  ctx: ForwardedContext,
  requestId: string,
  forwardedFor: string | undefined,
  forwardedHost: string | undefined,
): void {
  // An HTTP/1.0 request may have no Host: the pod then gets its own address from undici, as nginx sends
  // $proxy_host; an empty X-Forwarded-Host is omitted as nginx omits empty proxy_set_header values.
  const upstreamHost = ctx.upstreamHost ?? ctx.host;
  if (upstreamHost !== '') out.push('host', upstreamHost);
  out.push('x-request-id', requestId, 'x-real-ip', ctx.clientAddress, 'x-forwarded-for', ctx.clientAddress);
  if (forwardedFor !== undefined) out.push('x-original-forwarded-for', forwardedFor);
  if (forwardedHost !== undefined) out.push('x-original-forwarded-host', forwardedHost);
  if (ctx.host !== '') out.push('x-forwarded-host', ctx.host);
  out.push(
    'x-forwarded-port',
    ctx.localPort,
    'x-forwarded-proto',
    ctx.scheme,
    'x-forwarded-scheme',
    ctx.scheme,
    'x-scheme',
    ctx.scheme,
  );
  if (ctx.upgrade !== undefined) out.push('connection', 'upgrade', 'upgrade', ctx.upgrade);
}

/**
 * The client's Host header. `null` when it appears more than once: nginx rejects that with 400 ("client sent
 * duplicate host header") because two Hosts let the router and the pod disagree about the virtual host.
 */
export function hostHeaderOf(raw: readonly string[]): string | undefined | null {
  const first = rawHeaderIndex(raw, 'host');
  if (first === -1) return undefined;
  if (rawHeaderIndex(raw, 'host', first + 2) !== -1) return null;
  return raw[first + 1]!;
}

/**
 * Sets headers the way nginx's proxy_set_header does: the client's copies of the same names are dropped first,
 * so a client cannot send its own X-Forwarded-Prefix or X-Code alongside the one Sluice sets. Only called for
 * routes with such features.
 */
export function overrideHeaders(out: string[], pairs: readonly string[]): void {
  const names: string[] = [];
  for (let i = 0; i < pairs.length; i += 2) names.push(pairs[i]!.toLowerCase());
  removeHeaders(out, names);
  out.push(...pairs);
}
