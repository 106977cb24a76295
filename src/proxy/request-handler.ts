// The 'request' listener: the per-request stages, in their fixed order (1–4 in request-flow.ts, shared with the
// 'upgrade' listener). Each feature is composed into the Route when the table is built, so a feature that is off
// costs a null check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendTarget, Route } from '../model/index.ts';
import { serveErrorPage } from './error-pages.ts';
import { Exchange } from './forward/exchange.ts';
import { adaptHttp2Request } from './headers/http2-request.ts';
import { buildRequestHeaders, overrideHeaders, type RequestFacts } from './headers/request-headers.ts';
import type { RequestRecord } from './metrics/request-observer.ts';
import type { ProxyContext } from './proxy-context.ts';
import { httpLimitOutlet } from './rate-limit/rate-limit-stage.ts';
import { sendRedirect } from './redirect.ts';
import { runRequestStages, type Outlet } from './request-flow.ts';
import { sendError } from './respond.ts';
import type { ForwardedFacts } from './client-address.ts';

export function createRequestHandler(ctx: ProxyContext): (req: IncomingMessage, res: ServerResponse) => void {
  return function handleRequest(req, res) {
    try {
      // Metrics / access log: off ⇒ null, and nothing below does any bookkeeping.
      const record = ctx.observer === null ? null : ctx.observer.begin(req, res);
      runRequestStages(ctx, req, res, httpOutlet, record);
    } catch (error: unknown) {
      // A bug, never user input: answer 500 (or cut a started response) rather than take the process down.
      ctx.logger.error({ err: error }, 'request handler failed');
      sendError(res, 'internal', true);
    }
  };
}

/** How plain requests are answered: on their ServerResponse, then through an Exchange. */
const httpOutlet: Outlet<ServerResponse, RequestRecord | null> = {
  ...httpLimitOutlet,
  error: (res, kind) => sendError(res, kind),
  redirect: sendRedirect,
  routed: (record, route) => {
    if (record !== null) record.route = route;
  },
  addressed: (record, address) => {
    if (record !== null) record.clientAddress = address;
  },
  unavailable: (ctx, req, res, route, host) => {
    // As ingress-nginx answers when its balancer has no peers: 503, or the route's custom-http-errors page.
    if (intercepts(route, 503)) return serveErrorPage(ctx, req, res, route, 503, host);
    sendError(res, 'no-endpoints');
  },
  forward,
};

/** Stages 5–6: headers, the exchange. */
function forward(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  record: RequestRecord | null,
  route: Route,
  backend: BackendTarget,
  fallbackHeaders: string[] | null,
  host: string,
  target: string,
  forwarded: ForwardedFacts,
): void {
  let extra = fallbackHeaders;
  const features = route.features;
  // 5. Headers: what the pod receives (§2.4), with upstream-vhost and x-forwarded-prefix where set.
  const facts: RequestFacts = { hasBody: false, requestId: '' };
  // `forwarded`: the client address after real-IP processing (--trusted-proxies), as the rate limit saw it.
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
