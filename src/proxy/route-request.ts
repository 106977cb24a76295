// Stage 1 of every request (plain or upgrade): from the request line and Host header to a Route of the table
// the request started with. Returns an error kind instead of throwing; nothing here allocates beyond the path
// slice and what the router's normalisers need.
import type { IncomingMessage } from 'node:http';
import type { Route, RouteTable } from '../model/index.ts';
import type { ProxyErrorKind } from './errors.ts';
import type { ProxyContext } from './proxy-context.ts';

/**
 * Looks the request up in `table`. `host` is the raw Host header ('' when absent). Only origin-form targets
 * (`/path?query`) are routed: an absolute-form one (`http://h/p`) was rewritten to origin-form and Host before
 * (absolute-form.ts), and `*` (OPTIONS) or anything else has no route.
 */
export function routeRequest(
  ctx: ProxyContext,
  table: RouteTable,
  req: IncomingMessage,
  host: string,
): Route | ProxyErrorKind {
  const target = req.url ?? '';
  if (target.charCodeAt(0) !== 0x2f /* '/' */) return 'bad-request';
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  // The normalised path is for matching only; the pod receives the original target (req.url) untouched.
  const path = ctx.normalizeRequestPath(rawPath);
  if (path === null) return 'bad-request';
  return table.lookup(ctx.normalizeHost(host), path);
}

let lastPort = -1;
let lastPortText = '';

/** The listening port as text (X-Forwarded-Port); memoised because every request on a listener asks the same. */
export function localPortOf(req: IncomingMessage): string {
  const port = req.socket.localPort ?? 0;
  if (port !== lastPort) {
    lastPort = port;
    lastPortText = String(port);
  }
  return lastPortText;
}
