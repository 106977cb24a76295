// The 'request' listener: the per-request stages, in their fixed order. Each feature is composed into the Route
// when the table is built, so a feature that is off costs a null check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendTarget, Route, RouteTable } from '../model/index.ts';
import { defaultBackendHeaders, serveErrorPage } from './error-pages.ts';
import { Exchange } from './forward/exchange.ts';
import { adaptHttp2Request, requestHostOf } from './headers/http2-request.ts';
import { buildRequestHeaders, overrideHeaders, type RequestFacts } from './headers/request-headers.ts';
import { runLocationStages } from './location-stages.ts';
import type { RequestRecord } from './metrics/request-observer.ts';
import type { ProxyContext } from './proxy-context.ts';
import { rateLimitsFor } from './rate-limit/rate-limit-stage.ts';
import { sendRedirect } from './redirect.ts';
import { sendError } from './respond.ts';
import { clientAddressOf, forwardedContextOf } from './client-address.ts';
import { routeRequest } from './route-request.ts';

export function createRequestHandler(ctx: ProxyContext): (req: IncomingMessage, res: ServerResponse) => void {
  return function handleRequest(req, res) {
    try {
      // Metrics / access log: off ⇒ null, and nothing below does any bookkeeping.
      const record = ctx.observer === null ? null : ctx.observer.begin(req, res);
      serve(ctx, req, res, record);
    } catch (error: unknown) {
      // A bug, never user input: answer 500 (or cut a started response) rather than take the process down.
      ctx.logger.error({ err: error }, 'request handler failed');
      sendError(res, 'internal', true);
    }
  };
}

function serve(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, record: RequestRecord | null): void {
  // The table is read exactly once: a swap during this request does not change its route.
  const table = ctx.tableSlot.current;

  // 1. Route: Host + normalised path → Route (400 for an unroutable target, duplicate Host).
  // HTTP/2: `:authority` (Host when absent), as ingress-nginx routes it.
  const rawHost = requestHostOf(req);
  const route = rawHost === null ? 'bad-request' : routeRequest(ctx, table, req, rawHost ?? '');
  if (typeof route === 'string') return sendError(res, route);
  if (record !== null) record.route = route;
  const host = rawHost ?? '';

  // 2. Redirects, then rewrite, in nginx's phase order (location-stages.ts): app-root / trailing-slash 301 /
  //    from-to-www → permanent/temporal-redirect → rewrite-target → ssl-redirect. Skipped entirely by routes
  //    without a redirect action or features.
  let target = req.url!;
  const action = route.action;
  if (action.kind === 'redirect' || route.features !== undefined) {
    const outcome = runLocationStages(ctx, req, route, host);
    if (outcome.kind === 'redirect') return sendRedirect(res, outcome.status, outcome.location);
    if (outcome.kind === 'error') return sendError(res, outcome.error);
    target = outcome.target;
  }

  // 3. Rate limit: limit-rps/-rpm/-connections (rate-limit/). nginx's limit_req runs in the preaccess phase, after
  //    all rewrites and redirects above, so a redirected request never uses up a client's allowance.
  //    A cluster-wide limit (Redis) answers later: enforce() then returns false and calls `resume` if admitted.
  const rateLimit = route.features?.rateLimit ?? null;
  if (rateLimit !== null) {
    const resume = (): void => dispatch(ctx, req, res, route, table, host, target, record);
    const client = clientAddressOf(req, ctx.trustedProxies);
    if (!rateLimitsFor(ctx.tableSlot).enforce(rateLimit, client, res, resume)) return;
  }
  dispatch(ctx, req, res, route, table, host, target, record);
}

function dispatch(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  table: RouteTable,
  host: string,
  target: string,
  record: RequestRecord | null,
): void {
  const action = route.action;
  if (action.kind === 'not-found') return sendError(res, 'not-found');
  if (action.kind !== 'forward') return sendError(res, 'no-backend');
  ctx.balancers.pruneFor(table);
  forward(ctx, req, res, route, action.backend, host, target, record);
}

/** Stages 4–6: endpoints (with the default-backend annotation's fallback), headers, the exchange. */
function forward(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  routeBackend: BackendTarget,
  host: string,
  target: string,
  record: RequestRecord | null,
): void {
  // 4. Endpoints: none ready ⇒ the default-backend annotation's Service if it has some, else 503 (or its error
  //    page), as ingress-nginx answers when its balancer has no peers.
  let backend = routeBackend;
  let extra: string[] | null = null;
  const features = route.features;
  if (ctx.endpoints.endpointsFor(backend).length === 0) {
    const fallback = features?.fallbackBackend ?? null;
    if (fallback === null || ctx.endpoints.endpointsFor(fallback.backend).length === 0) {
      if (intercepts(route, 503)) return serveErrorPage(ctx, req, res, route, 503, host);
      return sendError(res, 'no-endpoints');
    }
    backend = fallback.backend;
    extra = defaultBackendHeaders(fallback.origin, req, 503);
  }

  // 5. Headers: what the pod receives (§2.4), with upstream-vhost and x-forwarded-prefix where set.
  const facts: RequestFacts = { hasBody: false, requestId: '' };
  // The client address after real-IP processing (--trusted-proxies), as the rate limit saw it.
  const forwarded = forwardedContextOf(ctx, req, host, features?.upstreamHost ?? null);
  const headers = buildRequestHeaders(req.rawHeaders, forwarded, facts);
  if (req.httpVersionMajor === 2) adaptHttp2Request(req, headers, facts);
  const prefix = features?.forwardedPrefix ?? null;
  if (prefix !== null) extra = [...(extra ?? []), 'x-forwarded-prefix', prefix];
  if (extra !== null) overrideHeaders(headers, extra);
  if (record !== null) record.requestId = facts.requestId;

  // 6. Forward: round robin, retry where safe, stream both ways; custom-http-errors intercepts answers.
  const onIntercept = features?.errorPages == null ? null : interceptor(ctx, req, res, route, host);
  const exchange = new Exchange(ctx, req, res, route, backend, headers, facts.hasBody, target, onIntercept, record);
  if (!exchange.dispatch()) sendError(res, 'no-endpoints');
}

function intercepts(route: Route, status: number): boolean {
  return route.features?.errorPages?.codes.has(status) === true;
}

function interceptor(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, route: Route, host: string) {
  return (status: number): boolean => {
    if (!intercepts(route, status)) return false;
    serveErrorPage(ctx, req, res, route, status, host);
    return true;
  };
}
