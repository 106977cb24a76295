// The 'request' listener: the per-request stages, in their fixed order (1–4 in request-flow.ts, shared with the
// 'upgrade' listener). Each feature is composed into the Route when the table is built, so a feature that is off
// costs a null check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BackendTarget, GlobalSettings, Route } from '../model/index.ts';
import { adoptAbsoluteForm } from './absolute-form.ts';
import { serveErrorPage } from './error-pages.ts';
import { Exchange } from './forward/exchange.ts';
import { RequestBody } from './forward/request-body.ts';
import { adaptHttp2Request, requestHostOf } from './headers/http2-request.ts';
import { buildRequestHeaders, newRequestFacts, overrideHeaders } from './headers/request-headers.ts';
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
      adoptAbsoluteForm(req);
      // The table is read exactly once: its routes and its settings (the global ConfigMap) serve this whole
      // request, so neither a route change nor a settings change lands in the middle of it.
      const table = ctx.tableSlot.current;
      const settings = table.settings;
      // HSTS first, so it is on every answer of the HTTPS listener: proxied, redirects and errors alike.
      if (ctx.hasOwnCertificate !== null && settings.strictTransportSecurity !== null) setHsts(ctx, req, res, settings.strictTransportSecurity);
      // Metrics / access log: off ⇒ null, and nothing below does any bookkeeping.
      const record = ctx.observer === null ? null : ctx.observer.begin(req, res, settings);
      runRequestStages(ctx, table, req, res, httpOutlet, record);
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
  unavailable: (ctx, req, res, route, host, settings) => {
    // As ingress-nginx answers when its balancer has no peers: 503, or the route's custom-http-errors page.
    if (intercepts(route, 503)) return serveErrorPage(ctx, req, res, route, 503, host, settings);
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
  settings: GlobalSettings,
): void {
  let extra = fallbackHeaders;
  const features = route.features;
  // 5. Headers: what the pod receives (§2.4), with upstream-vhost and x-forwarded-prefix where set.
  const facts = newRequestFacts();
  // `forwarded`: the client address after real-IP processing (--trusted-proxies), as the rate limit saw it.
  const headers = buildRequestHeaders(req.rawHeaders, forwarded, facts);
  if (req.httpVersionMajor === 2) adaptHttp2Request(req, headers, facts);
  const prefix = features?.forwardedPrefix ?? null;
  if (prefix !== null) extra = [...(extra ?? []), 'x-forwarded-prefix', prefix];
  if (extra !== null) overrideHeaders(headers, extra);
  if (record !== null) record.requestId = facts.requestId;

  // proxy-body-size (nginx client_max_body_size): the Ingress's annotation, else the table's setting; 0 is no limit.
  // A declared Content-Length is judged here, before any pod is contacted; an undeclared length is counted as the
  // body streams (request-body.ts).
  const bodyLimit = features?.proxyBodySize ?? settings.proxyBodySize;
  if (bodyLimit !== 0 && facts.contentLength > bodyLimit) return sendError(res, 'body-too-large', true);
  // Expect: 100-continue (node:http leaves the answer to Sluice: proxy-server.ts listens for 'checkContinue').
  // The client is invited to send its body only now, after routing, redirects, the rate limit and the size check
  // let the request through — as nginx, whose 413s and redirects never invite a body the client would then send.
  if (facts.expectsContinue && facts.hasBody) res.writeContinue();
  const body = facts.hasBody ? new RequestBody(req, record, facts.contentLength === -1 ? bodyLimit : 0) : null;

  // 6. Forward: round robin, retry where safe, stream both ways; custom-http-errors intercepts answers.
  const onIntercept = features?.errorPages == null ? null : interceptor(ctx, req, res, route, host, settings);
  const exchange = new Exchange(ctx, req, res, route, backend, headers, body, target, onIntercept, record, settings);
  if (!exchange.dispatch()) sendError(res, 'no-endpoints');
}

/**
 * Strict-Transport-Security (ConfigMap hsts*), only for hosts with a certificate of their own, as ingress-nginx's
 * lua_ingress.lua header() checks certificate_configured_for_current_request(): pinning browsers to HTTPS for a
 * host only the fake certificate answers for would lock its users out.
 */
function setHsts(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, value: string): void {
  if (ctx.hasOwnCertificate!(ctx.normalizeHost(requestHostOf(req) ?? ''))) res.setHeader('strict-transport-security', value);
}

function intercepts(route: Route, status: number): boolean {
  return route.features?.errorPages?.codes.has(status) === true;
}

function interceptor(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, route: Route, host: string, settings: GlobalSettings) {
  return (status: number): boolean => {
    if (!intercepts(route, status)) return false;
    serveErrorPage(ctx, req, res, route, status, host, settings);
    return true;
  };
}
