// The server's 'upgrade' listener (requests with `Connection: upgrade` + `Upgrade`, i.e. WebSockets): the same
// stages as plain requests (request-flow.ts: routing, redirects, rewrite, rate limit, endpoints) and headers,
// then a Tunnel. The socket is ours from here on, so every path ends by
// answering on it or destroying it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { BackendTarget, GlobalSettings, Route } from '../../model/index.ts';
import { rawHeaderValue } from '../headers/raw-header.ts';
import { buildRequestHeaders, overrideHeaders, type RequestFacts } from '../headers/request-headers.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { rawLimitOutlet } from '../rate-limit/rate-limit-stage.ts';
import { runRequestStages, type Outlet } from '../request-flow.ts';
import { sendRawError, sendRawRedirect } from '../respond.ts';
import type { ForwardedFacts } from '../client-address.ts';
import { Tunnel } from './tunnel.ts';

export function createUpgradeHandler(
  ctx: ProxyContext,
  tunnels: Set<Duplex>,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return function handleUpgrade(req, socket, head) {
    // A reset from the client must not become an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    try {
      // One read of the table, as for plain requests (request-handler.ts): its routes and settings serve the upgrade.
      runRequestStages(ctx, ctx.tableSlot.current, req, socket, upgradeOutlet, { tunnels, head });
    } catch (error: unknown) {
      ctx.logger.error({ err: error }, 'upgrade handler failed');
      sendRawError(socket, 'internal');
    }
  };
}

/** What an upgrade request carries past stage 4 (request-flow.ts): its tunnel registry and the bytes read ahead. */
interface UpgradeState {
  readonly tunnels: Set<Duplex>;
  readonly head: Buffer;
}

/** How upgrade requests are answered: raw HTTP on the socket (it left node:http's control), then a Tunnel. */
const upgradeOutlet: Outlet<Duplex, UpgradeState> = {
  ...rawLimitOutlet,
  error: sendRawError,
  redirect: sendRawRedirect,
  routed: () => undefined,
  addressed: () => undefined,
  // custom-http-errors pages are fetched as an Exchange on a ServerResponse; a raw socket gets the plain 503.
  unavailable: (_ctx, _req, socket) => sendRawError(socket, 'no-endpoints'),
  forward: openTunnel,
};

function openTunnel(
  ctx: ProxyContext,
  req: IncomingMessage,
  socket: Duplex,
  state: UpgradeState,
  route: Route,
  backend: BackendTarget,
  extra: string[] | null,
  _host: string,
  target: string,
  forwarded: ForwardedFacts,
  settings: GlobalSettings,
): void {
  const facts: RequestFacts = { hasBody: false, contentLength: -1, requestId: '' };
  const headers = handshakeHeaders(req, route, forwarded, facts);
  if (extra !== null) overrideHeaders(headers, extra);
  // A handshake carries no body (RFC 6455 §4.1). One that does would have its body spliced into the tunnel
  // after the 101 — refuse it rather than guess what the pod expects.
  if (facts.hasBody) return sendRawError(socket, 'bad-request');
  const tunnel = new Tunnel(ctx, req, socket, state.head, backend, headers, state.tunnels, target, settings);
  if (!tunnel.connect()) sendRawError(socket, 'no-endpoints');
}

/** The handshake's upstream headers, with upstream-vhost and x-forwarded-prefix where the route sets them. */
function handshakeHeaders(req: IncomingMessage, route: Route, forwardedFacts: ForwardedFacts, facts: RequestFacts): string[] {
  const forwarded = { ...forwardedFacts, upgrade: rawHeaderValue(req.rawHeaders, 'upgrade') };
  const headers = buildRequestHeaders(req.rawHeaders, forwarded, facts);
  const prefix = route.features?.forwardedPrefix ?? null;
  if (prefix !== null) overrideHeaders(headers, ['x-forwarded-prefix', prefix]);
  return headers;
}
