// Stages 1–4 of every request, shared by the 'request' listener (request-handler.ts) and the 'upgrade' listener
// (upgrade/upgrade-handler.ts): route → redirects/rewrite → rate limit → action and endpoints. Node hands any
// request carrying `Connection: upgrade` + `Upgrade` to the 'upgrade' listener, so a stage missing there is a
// stage any client can skip; only how answers are written (ServerResponse or raw socket) and what happens after
// stage 4 (an Exchange or a Tunnel) differ, and the Outlet says that. Outlets are module-level singletons and the
// per-request state is passed along, so the plain-request hot path allocates nothing here.
import type { IncomingMessage } from 'node:http';
import type { BackendTarget, GlobalSettings, Route, RouteTable } from '../model/index.ts';
import { defaultBackendHeaders } from './error-pages.ts';
import type { ProxyErrorKind } from './errors.ts';
import { requestHostOf } from './headers/http2-request.ts';
import { runLocationStages } from './location-stages.ts';
import type { ProxyContext } from './proxy-context.ts';
import { rateLimitsFor, type LimitOutlet } from './rate-limit/rate-limit-stage.ts';
import { forwardedContextOf, peerAddressOf, type ForwardedFacts } from './client-address.ts';
import { routeRequest } from './route-request.ts';

/** Where a request's answer goes (`O`) and what it carries past stage 4 (`X`: the metrics record, the tunnel set…). */
export interface Outlet<O, X> extends LimitOutlet<O> {
  error(out: O, kind: ProxyErrorKind): void;
  redirect(out: O, status: number, location: string): void;
  /** Stage 1 chose `route` (metrics label it, even when a later stage refuses the request). */
  routed(state: X, route: Route): void;
  /** The client address after real-IP processing is known (the access log shows it). */
  addressed(state: X, address: string): void;
  /** No ready endpoint, default-backend annotation included: 503, or the route's error page where it has one. */
  unavailable(ctx: ProxyContext, req: IncomingMessage, out: O, route: Route, host: string, settings: GlobalSettings): void;
  /**
   * Stages 5–6 (positional, not an object: no allocation per request). `extra`: headers to set for a
   * default-backend fallback, else null. `forwarded`: the request's forwarded-header facts (client-address.ts).
   * `settings`: the global settings of the request's table (timeouts, proxy-body-size).
   */
  forward(
    ctx: ProxyContext, req: IncomingMessage, out: O, state: X,
    route: Route, backend: BackendTarget, extra: string[] | null, host: string, target: string,
    forwarded: ForwardedFacts, settings: GlobalSettings,
  ): void;
}

/**
 * `table`: read once by the caller when the request arrived (ctx.tableSlot.current). Everything below reads
 * this table, its routes and its settings, so a swap during the request changes neither.
 */
export function runRequestStages<O, X>(ctx: ProxyContext, table: RouteTable, req: IncomingMessage, out: O, outlet: Outlet<O, X>, state: X): void {

  // 1. Route: Host + normalised path → Route (400 for an unroutable target, duplicate Host).
  // HTTP/2: `:authority` (Host when absent), as ingress-nginx routes it.
  const rawHost = requestHostOf(req);
  const route = rawHost === null ? 'bad-request' : routeRequest(ctx, table, req, rawHost ?? '');
  if (typeof route === 'string') return outlet.error(out, route);
  outlet.routed(state, route);
  const host = rawHost ?? '';

  // 2. Redirects, then rewrite, in nginx's phase order (location-stages.ts): app-root / trailing-slash 301 /
  //    from-to-www → permanent/temporal-redirect → rewrite-target → ssl-redirect. Skipped entirely by routes
  //    without a redirect action or features.
  let target = req.url!;
  if (route.action.kind === 'redirect' || route.features !== undefined) {
    const outcome = runLocationStages(ctx, req, route, host);
    if (outcome.kind === 'redirect') return outlet.redirect(out, outcome.status, outcome.location);
    if (outcome.kind === 'error') return outlet.error(out, outcome.error);
    target = outcome.target;
  }

  // 3. Rate limit: limit-rps/-rpm/-connections (rate-limit/). nginx's limit_req runs in the preaccess phase, after
  //    all rewrites and redirects above, so a redirected request never uses up a client's allowance.
  //    A cluster-wide limit (Redis) answers later: enforce() then returns false and calls `resume` if admitted.
  //    With --trusted-proxies the forwarded headers are scanned here, once, and the result passed on (rate-limit
  //    key, upstream headers, access log); without, the key is the TCP peer and nothing is allocated here.
  const forwarded = ctx.trustedProxies === null ? null : forwardedFor(ctx, req, outlet, state, route, host);
  const rateLimit = route.features?.rateLimit ?? null;
  if (rateLimit !== null) {
    const resume = (): void => dispatch(ctx, req, out, outlet, state, route, table, host, target, forwarded);
    const client = forwarded === null ? peerAddressOf(req) : forwarded.clientAddress;
    if (!rateLimitsFor(ctx.tableSlot).enforce(rateLimit, client, out, outlet, resume, table.settings)) return;
  }
  dispatch(ctx, req, out, outlet, state, route, table, host, target, forwarded);
}

/** The request's forwarded-header facts, computed once (client-address.ts) and noted for the access log. */
function forwardedFor<O, X>(
  ctx: ProxyContext, req: IncomingMessage, outlet: Outlet<O, X>, state: X, route: Route, host: string,
): ForwardedFacts {
  const forwarded = forwardedContextOf(ctx, req, host, route.features?.upstreamHost ?? null);
  outlet.addressed(state, forwarded.clientAddress);
  return forwarded;
}

/** Stage 4: the action, then endpoints — with the default-backend annotation's fallback, as ingress-nginx. */
function dispatch<O, X>(
  ctx: ProxyContext,
  req: IncomingMessage,
  out: O,
  outlet: Outlet<O, X>,
  state: X,
  route: Route,
  table: RouteTable,
  host: string,
  target: string,
  forwarded: ForwardedFacts | null,
): void {
  const action = route.action;
  if (action.kind === 'not-found') return outlet.error(out, 'not-found');
  if (action.kind !== 'forward') return outlet.error(out, 'no-backend');
  ctx.balancers.pruneFor(table);
  let backend = action.backend;
  let extra: string[] | null = null;
  if (ctx.endpoints.endpointsFor(backend).length === 0) {
    const fallback = route.features?.fallbackBackend ?? null;
    if (fallback === null || ctx.endpoints.endpointsFor(fallback.backend).length === 0) {
      return outlet.unavailable(ctx, req, out, route, host, table.settings);
    }
    backend = fallback.backend;
    extra = defaultBackendHeaders(fallback.origin, req, 503);
  }
  const facts = forwarded ?? forwardedFor(ctx, req, outlet, state, route, host);
  outlet.forward(ctx, req, out, state, route, backend, extra, host, target, facts, table.settings);
}
