// The server's 'upgrade' listener (requests with `Connection: upgrade` + `Upgrade`, i.e. WebSockets): the same
// routing and headers as plain requests, then a Tunnel. The socket is ours from here on, so every path ends by
// answering on it or destroying it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Route } from '../../model/index.ts';
import { buildRequestHeaders, hostHeaderOf, overrideHeaders, type RequestFacts } from '../headers/request-headers.ts';
import { runLocationStages } from '../location-stages.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { sendRawError, sendRawRedirect } from '../respond.ts';
import { routeRequest } from '../route-request.ts';
import { forwardedContextOf } from '../client-address.ts';
import { Tunnel } from './tunnel.ts';

export function createUpgradeHandler(
  ctx: ProxyContext,
  tunnels: Set<Duplex>,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return function handleUpgrade(req, socket, head) {
    // A reset from the client must not become an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    try {
      serveUpgrade(ctx, tunnels, req, socket, head);
    } catch (error: unknown) {
      ctx.logger.error({ err: error }, 'upgrade handler failed');
      sendRawError(socket, 'internal');
    }
  };
}

function serveUpgrade(
  ctx: ProxyContext,
  tunnels: Set<Duplex>,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const table = ctx.tableSlot.current;
  const host = hostHeaderOf(req.rawHeaders);
  const route = host === null ? 'bad-request' : routeRequest(ctx, table, req, host ?? '');
  if (typeof route === 'string') return sendRawError(socket, route);
  const action = route.action;
  // The same redirect and rewrite stages as plain requests (request-handler.ts), answered on the raw socket.
  let target = req.url!;
  if (action.kind === 'redirect' || route.features !== undefined) {
    const outcome = runLocationStages(ctx, req, route, host ?? '');
    if (outcome.kind === 'redirect') return sendRawRedirect(socket, outcome.status, outcome.location);
    if (outcome.kind === 'error') return sendRawError(socket, outcome.error);
    target = outcome.target;
  }
  if (action.kind === 'not-found') return sendRawError(socket, 'not-found');
  if (action.kind !== 'forward') return sendRawError(socket, 'no-backend');
  const backend = action.backend;
  if (ctx.endpoints.endpointsFor(backend).length === 0) return sendRawError(socket, 'no-endpoints');
  ctx.balancers.pruneFor(table);
  const facts: RequestFacts = { hasBody: false, requestId: '' };
  const headers = handshakeHeaders(ctx, req, route, host ?? '', facts);
  // A handshake carries no body (RFC 6455 §4.1). One that does would have its body spliced into the tunnel
  // after the 101 — refuse it rather than guess what the pod expects.
  if (facts.hasBody) return sendRawError(socket, 'bad-request');
  const tunnel = new Tunnel(ctx, req, socket, head, backend, headers, tunnels, target);
  if (!tunnel.connect()) sendRawError(socket, 'no-endpoints');
}

/** The handshake's upstream headers, with upstream-vhost and x-forwarded-prefix where the route sets them. */
function handshakeHeaders(ctx: ProxyContext, req: IncomingMessage, route: Route, host: string, facts: RequestFacts): string[] {
  const forwarded = { ...forwardedContextOf(ctx, req, host, route.features?.upstreamHost ?? null), upgrade: upgradeValueOf(req.rawHeaders) };
  const headers = buildRequestHeaders(req.rawHeaders, forwarded, facts);
  const prefix = route.features?.forwardedPrefix ?? null;
  if (prefix !== null) overrideHeaders(headers, ['x-forwarded-prefix', prefix]);
  return headers;
}

function upgradeValueOf(raw: readonly string[]): string {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 7 && raw[i]!.toLowerCase() === 'upgrade') return raw[i + 1]!;
  }
  return '';
}
