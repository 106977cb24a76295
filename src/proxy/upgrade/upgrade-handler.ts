// The server's 'upgrade' listener (requests with `Connection: upgrade` + `Upgrade`, i.e. WebSockets): the same
// stages as plain requests (request-flow.ts: routing, redirects, rewrite, rate limit, endpoints) and headers,
// then a Tunnel. The socket is ours from here on, so every path ends by
// answering on it or destroying it.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { BackendTarget, GlobalSettings, Route } from '../../model/index.ts';
import { rawHeaderValue } from '../headers/raw-header.ts';
import { buildRequestHeaders, newRequestFacts, overrideHeaders, type RequestFacts } from '../headers/request-headers.ts';
import { statusFor, type ProxyErrorKind } from '../errors.ts';
import type { ProxyContext } from '../proxy-context.ts';
import { rawLimitOutlet } from '../rate-limit/rate-limit-stage.ts';
import { adoptAbsoluteForm } from '../absolute-form.ts';
import { runRequestStages, type Outlet } from '../request-flow.ts';
import { sendRawError, sendRawRedirect } from '../respond.ts';
import type { ForwardedFacts } from '../client-address.ts';
import { Tunnel, type UpgradeRequest } from './tunnel.ts';

export function createUpgradeHandler(
  ctx: ProxyContext,
  tunnels: Set<Duplex>,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return function handleUpgrade(req, socket, head) {
    // A reset from the client must not become an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    adoptAbsoluteForm(req);
    // One read of the table, as for plain requests (request-handler.ts): its routes and settings serve the upgrade.
    const table = ctx.tableSlot.current;
    // Metrics / access log: the record ends when the socket closes (the tunnel's end, or the refusal sent).
    const record = ctx.observer === null ? null : ctx.observer.beginUpgrade(req, socket, head, table.settings);
    const upgrade: UpgradeRequest = { socket, head, tunnels, record };
    try {
      runRequestStages(ctx, table, req, upgrade, upgradeOutlet, upgrade);
    } catch (error: unknown) {
      ctx.logger.error({ err: error }, 'upgrade handler failed');
      refuse(upgrade, 'internal');
    }
  };
}

/** Notes the status written on the raw socket, for metrics and the access log. */
function answered(upgrade: UpgradeRequest, status: number): void {
  if (upgrade.record !== null) upgrade.record.status = status;
}

function refuse(upgrade: UpgradeRequest, kind: ProxyErrorKind): void {
  answered(upgrade, statusFor(kind));
  sendRawError(upgrade.socket, kind);
}

/**
 * How upgrade requests are answered: raw HTTP on the socket (it left node:http's control), then a Tunnel. The
 * request itself is both the outlet's target and its state.
 */
const upgradeOutlet: Outlet<UpgradeRequest, UpgradeRequest> = {
  closed: (upgrade) => rawLimitOutlet.closed(upgrade.socket),
  onClose: (upgrade, release) => rawLimitOutlet.onClose(upgrade.socket, release),
  limited: (upgrade, status, retryAfterMs) => {
    answered(upgrade, status);
    rawLimitOutlet.limited(upgrade.socket, status, retryAfterMs);
  },
  failed: (upgrade) => {
    answered(upgrade, 500);
    rawLimitOutlet.failed(upgrade.socket);
  },
  error: refuse,
  redirect: (upgrade, status, location) => {
    answered(upgrade, status);
    sendRawRedirect(upgrade.socket, status, location);
  },
  routed: (upgrade, route) => {
    if (upgrade.record !== null) upgrade.record.route = route;
  },
  addressed: (upgrade, address) => {
    if (upgrade.record !== null) upgrade.record.clientAddress = address;
  },
  // custom-http-errors pages are fetched as an Exchange on a ServerResponse; a raw socket gets the plain 503.
  unavailable: (_ctx, _req, upgrade) => refuse(upgrade, 'no-endpoints'),
  forward: openTunnel,
};

function openTunnel(
  ctx: ProxyContext,
  req: IncomingMessage,
  upgrade: UpgradeRequest,
  _state: UpgradeRequest,
  route: Route,
  backend: BackendTarget,
  extra: string[] | null,
  _host: string,
  target: string,
  forwarded: ForwardedFacts,
  settings: GlobalSettings,
): void {
  const facts = newRequestFacts();
  const headers = handshakeHeaders(req, route, forwarded, facts);
  if (extra !== null) overrideHeaders(headers, extra);
  // A handshake carries no body (RFC 6455 §4.1). One that does would have its body spliced into the tunnel
  // after the 101 — refuse it rather than guess what the pod expects.
  if (facts.hasBody) return refuse(upgrade, 'bad-request');
  if (upgrade.record !== null) upgrade.record.requestId = facts.requestId;
  const tunnel = new Tunnel(ctx, req, upgrade, route, backend, headers, target, settings);
  if (!tunnel.connect()) refuse(upgrade, 'no-endpoints');
}

/** The handshake's upstream headers, with upstream-vhost and x-forwarded-prefix where the route sets them. */
function handshakeHeaders(req: IncomingMessage, route: Route, forwardedFacts: ForwardedFacts, facts: RequestFacts): string[] {
  const forwarded = { ...forwardedFacts, upgrade: rawHeaderValue(req.rawHeaders, 'upgrade') };
  const headers = buildRequestHeaders(req.rawHeaders, forwarded, facts);
  const prefix = route.features?.forwardedPrefix ?? null;
  if (prefix !== null) overrideHeaders(headers, ['x-forwarded-prefix', prefix]);
  return headers;
}
