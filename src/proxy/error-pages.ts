// custom-http-errors and the default-backend annotation's headers (nginx.tmpl CUSTOM_ERRORS, and the
// "custom-default-backend-" block): an intercepted answer is replaced by the error backend's answer to
// `<method> /`, with headers telling it what happened. Without a default-backend annotation the error backend is
// the controller's own default backend, which in Sluice (as in ingress-nginx without --default-backend-service)
// answers 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GlobalSettings, Route, RouteOrigin } from '../model/index.ts';
import { Exchange } from './forward/exchange.ts';
import { removeHeaders } from './headers/hop-by-hop.ts';
import { rawHeaderValue } from './headers/raw-header.ts';
import { buildRequestHeaders, newRequestFacts, overrideHeaders } from './headers/request-headers.ts';
import type { ProxyContext } from './proxy-context.ts';
import { sendError } from './respond.ts';
import { forwardedContextOf } from './client-address.ts';

/** Headers ingress-nginx sets when a request goes to a default-backend annotation's Service (X-Code 503). */
export function defaultBackendHeaders(origin: RouteOrigin, req: IncomingMessage, code: number): string[] {
  return [
    'x-code', String(code),
    'x-format', rawHeaderValue(req.rawHeaders, 'accept'),
    'x-namespace', origin.namespace,
    'x-ingress-name', origin.ingress,
    'x-service-name', origin.service,
    'x-service-port', origin.servicePort,
  ];
}

/** Answers with the route's error backend for `code`. The caller has checked that `code` is intercepted. */
export function serveErrorPage(
  ctx: ProxyContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  code: number,
  host: string,
  settings: GlobalSettings,
): void {
  const pages = route.features!.errorPages!;
  const backend = pages.backend;
  if (backend === null || ctx.endpoints.endpointsFor(backend).length === 0) return sendError(res, 'not-found');
  // The original body is not replayed (nginx would resend its buffered copy): drain it so the connection lives.
  req.resume();
  const facts = newRequestFacts();
  const forwarded = forwardedContextOf(ctx, req, host, null);
  const headers = buildRequestHeaders(req.rawHeaders, forwarded, facts);
  removeHeaders(headers, ['content-length']); // the error request has no body
  overrideHeaders(headers, [...defaultBackendHeaders(pages.origin, req, code), 'x-original-uri', req.url ?? '/']);
  const exchange = new Exchange(ctx, req, res, route, backend, headers, null, '/', null, null, settings);
  if (!exchange.dispatch()) sendError(res, 'not-found');
}
