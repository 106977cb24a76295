// The server's 'upgrade' listener (requests with `Connection: upgrade` + `Upgrade`, i.e. WebSockets): the same
// routing and headers as plain requests, then a Tunnel. The socket is ours from here on, so every path ends by
// answering on it or destroying it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { buildRequestHeaders, hostHeaderOf, type RequestFacts } from '../headers/request-headers.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { sendRawError } from '../respond.ts';
import { clientAddressOf, localPortOf, routeRequest } from '../route-request.ts';
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
  if (action.kind === 'not-found') return sendRawError(socket, 'not-found');
  if (action.kind === 'unavailable') return sendRawError(socket, 'no-backend');
  // (rate limit → redirects → rewrite apply here too once they exist, in the same order as plain requests)
  const backend = action.backend;
  if (ctx.endpoints.endpointsFor(backend).length === 0) return sendRawError(socket, 'no-endpoints');
  ctx.balancers.pruneFor(table);
  const facts: RequestFacts = { hasBody: false, requestId: '' };
  const upgrade = upgradeValueOf(req.rawHeaders);
  const headers = buildRequestHeaders(
    req.rawHeaders,
    { host: host ?? '', clientAddress: clientAddressOf(req), localPort: localPortOf(req), scheme: ctx.scheme, upgrade },
    facts,
  );
  // A handshake carries no body (RFC 6455 §4.1). One that does would have its body spliced into the tunnel
  // after the 101 — refuse it rather than guess what the pod expects.
  if (facts.hasBody) return sendRawError(socket, 'bad-request');
  const tunnel = new Tunnel(ctx, req, socket, head, backend, headers, tunnels);
  if (!tunnel.connect()) sendRawError(socket, 'no-endpoints');
}

function upgradeValueOf(raw: readonly string[]): string {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 7 && raw[i]!.toLowerCase() === 'upgrade') return raw[i + 1]!;
  }
  return '';
}
