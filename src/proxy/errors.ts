// The closed catalogue of answers the proxy gives instead of an upstream response. Every kind has one stable
// code (logs, metrics), one status and a tiny fixed body: nothing from the request, the route or the upstream
// error ever reaches the client.
import { STATUS_CODES } from 'node:http';
import { serverName } from './headers/response-headers.ts';

export const proxyErrorKinds = [
  'bad-request', // the request target cannot be routed safely (path escapes the root, duplicate Host, …)
  'body-too-large', // the request body is larger than proxy-body-size (nginx client_max_body_size)
  'not-found', // no route (the controller's default backend)
  'no-backend', // the route's backend did not resolve at compile time (unavailable route)
  'no-endpoints', // the Service has no ready (or serving-terminating) endpoint
  'upstream-refused', // connection refused / reset / closed before any response byte
  'upstream-connect-timeout', // TCP connect took longer than connectTimeoutMs
  'upstream-read-timeout', // no response headers (or body bytes) within readTimeoutMs
  'upstream-send-timeout', // the pod took no more of the request for sendTimeoutMs
  'upstream-bad-response', // the upstream answered something that is not valid HTTP/1.1
  'internal', // a bug in Sluice; the message is logged, never sent
] as const;

export type ProxyErrorKind = (typeof proxyErrorKinds)[number];

const statusOf: Readonly<Record<ProxyErrorKind, number>> = {
  'bad-request': 400,
  'body-too-large': 413,
  'not-found': 404,
  'no-backend': 503,
  'no-endpoints': 503,
  'upstream-refused': 502,
  'upstream-connect-timeout': 504,
  'upstream-read-timeout': 504,
  'upstream-send-timeout': 504,
  'upstream-bad-response': 502,
  internal: 500,
};

const reasonOf: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Request Entity Too Large', // nginx's wording (RFC 9110 now says "Content Too Large")
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Timeout',
};

export interface ErrorReply {
  readonly status: number;
  /** Reason phrase for hand-written status lines. */
  readonly reason: string;
  readonly body: Buffer;
  /** Flat [name, value, …] header list for writeHead(), built once per status. */
  readonly headers: readonly string[];
  /** Same plus `Connection: close`, for when an unread request body makes the connection unusable. */
  readonly closingHeaders: readonly string[];
}

function buildReply(status: number): ErrorReply {
  const reason = reasonOf[status] ?? STATUS_CODES[status] ?? 'Error';
  const body = Buffer.from(`${status} ${reason}\n`, 'latin1');
  const headers = Object.freeze([
    'Content-Type',
    'text/plain; charset=utf-8',
    'Content-Length',
    String(body.length),
    'Server',
    serverName,
  ]);
  const closingHeaders = Object.freeze([...headers, 'Connection', 'close']);
  return Object.freeze({ status, reason, body, headers, closingHeaders });
}

/** Replies by status: the catalogue's, plus the configurable rate-limit statuses (built on first use). */
const byStatus = new Map<number, ErrorReply>();

/** The proxy's own "<status> <reason>" answer for any status (the rate limit's limit-*-status-code among them). */
export function statusReply(status: number): ErrorReply {
  let reply = byStatus.get(status);
  if (reply === undefined) byStatus.set(status, (reply = buildReply(status)));
  return reply;
}

const replies = new Map<ProxyErrorKind, ErrorReply>(proxyErrorKinds.map((kind) => [kind, statusReply(statusOf[kind])]));

export function errorReply(kind: ProxyErrorKind): ErrorReply {
  return replies.get(kind)!;
}

export function statusFor(kind: ProxyErrorKind): number {
  return statusOf[kind];
}

/** Upstream (upstream/, upgrade/tunnel.ts) and socket error codes → catalogue kind. */
export function classifyUpstreamError(error: unknown): ProxyErrorKind {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'internal';
  switch (code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'SLUICE_UPSTREAM_CLOSED': // the pod closed the connection before its answer
    case 'SLUICE_STALE_CONNECTION': // … a kept-alive one, before any answer (retried once on a new connection)
    case 'SLUICE_POOL_CLOSED': // the endpoint was removed between attempts, or the pool closed under the request
      return 'upstream-refused';
    case 'SLUICE_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'upstream-connect-timeout';
    case 'SLUICE_READ_TIMEOUT': // forward/read-deadlines.ts: nothing from the pod for proxy-read-timeout
      return 'upstream-read-timeout';
    case 'SLUICE_SEND_TIMEOUT': // forward/exchange.ts: the pod took no more of the request for proxy-send-timeout
      return 'upstream-send-timeout';
    case 'SLUICE_BAD_RESPONSE': // an answer out of turn, an unasked upgrade, headers node:http refuses to relay
      return 'upstream-bad-response';
    case 'SLUICE_BODY_TOO_LARGE': // forward/request-body.ts counted past proxy-body-size
      return 'body-too-large';
    // upstream/request-head.ts refuses a header or target it cannot send; everything it checks comes from the
    // client's request (node:http's parser is more lenient about a few characters), so the client gets the 400.
    case 'SLUICE_INVALID_REQUEST':
      return 'bad-request';
    default:
      // llhttp's errors for what the pod sent (HPE_INVALID_CONSTANT, HPE_HEADER_OVERFLOW, HPE_INVALID_EOF_STATE…).
      return code.startsWith('HPE_') ? 'upstream-bad-response' : 'internal';
  }
}

/** Failures after which the request may go to another endpoint: nothing reached a pod's application. */
export function isRetryable(kind: ProxyErrorKind): boolean {
  return kind === 'upstream-refused' || kind === 'upstream-connect-timeout';
}
