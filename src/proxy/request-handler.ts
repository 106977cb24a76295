// The 'request' listener: the per-request stages, in their fixed order. Later features slot in where marked;
// each one is composed into the Route when the table is built, so a feature that is off costs a null check.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Exchange } from './forward/exchange.ts';
import { buildRequestHeaders, hostHeaderOf, type RequestFacts } from './headers/request-headers.ts';
import type { ProxyContext } from './proxy-context.ts';
import { sendError } from './respond.ts';
import { clientAddressOf, localPortOf, routeRequest } from './route-request.ts';

export function createRequestHandler(ctx: ProxyContext): (req: IncomingMessage, res: ServerResponse) => void {
  return function handleRequest(req, res) {
    try {
      serve(ctx, req, res);
    } catch (error: unknown) {
      // A bug, never user input: answer 500 (or cut a started response) rather than take the process down.
      ctx.logger.error({ err: error }, 'request handler failed');
      sendError(res, 'internal', true);
    }
  };
}

function serve(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse): void {
  // The table is read exactly once: a swap during this request does not change its route.
  const table = ctx.tableSlot.current;

  // 1. Route: Host + normalised path → Route (400 for an unroutable target, duplicate Host).
  const host = hostHeaderOf(req.rawHeaders);
  const route = host === null ? 'bad-request' : routeRequest(ctx, table, req, host ?? '');
  if (typeof route === 'string') return sendError(res, route);
  const action = route.action;
  if (action.kind === 'not-found') return sendError(res, 'not-found');
  if (action.kind === 'unavailable') return sendError(res, 'no-backend');

  // 2. Rate limit         (issue: rate limiting — before any work is spent on the request)
  // 3. Redirects          (issue: annotations — ssl-redirect, permanent-redirect, …; may answer here)
  // 4. Rewrite            (issue: annotations — rewrite-target changes the target sent upstream)

  // 5. Endpoints: none ready ⇒ 503, as ingress-nginx answers when its balancer has no peers.
  const backend = action.backend;
  if (ctx.endpoints.endpointsFor(backend).length === 0) return sendError(res, 'no-endpoints');
  ctx.balancers.pruneFor(table);

  // 6. Headers: what the pod receives (§2.4); later annotation-driven headers are appended here.
  const facts: RequestFacts = { hasBody: false, requestId: '' };
  const headers = buildRequestHeaders(
    req.rawHeaders,
    { host: host ?? '', clientAddress: clientAddressOf(req), localPort: localPortOf(req), scheme: ctx.scheme },
    facts,
  );

  // 7. Forward: round robin, retry where safe, stream both ways.
  const exchange = new Exchange(ctx, req, res, route, backend, headers, facts.hasBody);
  if (!exchange.dispatch()) sendError(res, 'no-endpoints');
}
