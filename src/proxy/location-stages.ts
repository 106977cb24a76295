// What happens between choosing a route and forwarding, in nginx's phase order (ingress-nginx's nginx.tmpl):
//   server rewrite + find-config phases → the route itself is a redirect (app-root, trailing-slash 301, www);
//   location rewrite phase → permanent/temporal-redirect (`return`, written first), then rewrite-target
//   (`rewrite … break`, which answers 302 itself when the target is a URL), then ssl-redirect (rewrite_by_lua,
//   which runs after the rewrite module's directives and looks at the original request URI).
// Rate limiting (limit_req) belongs to nginx's later preaccess phase, so it comes after all of these.
// Only routes with a redirect action or features get here; every other request skips this module entirely.
import type { IncomingMessage } from 'node:http';
import type { Route } from '../model/index.ts';
import type { ProxyErrorKind } from './errors.ts';
import type { ProxyContext } from './proxy-context.ts';
import { absolute, redirectLocation } from './redirect.ts';
import { rewritePath, upstreamTarget } from './rewrite.ts';

export type LocationOutcome =
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string }
  | { readonly kind: 'error'; readonly error: ProxyErrorKind }
  /** Go on, sending `target` upstream (the original one, or the rewritten one). */
  | { readonly kind: 'forward'; readonly target: string; readonly rewritten: boolean };

export function runLocationStages(ctx: ProxyContext, req: IncomingMessage, route: Route, host: string): LocationOutcome {
  const action = route.action;
  if (action.kind === 'redirect') return redirect(action.status, redirectLocation(action.target, req, host, ctx.scheme));
  const features = route.features!;
  if (features.redirect !== null) {
    return redirect(features.redirect.status, redirectLocation(features.redirect.target, req, host, ctx.scheme));
  }
  const original = req.url ?? '/';
  let target = original;
  if (features.rewrite !== null) {
    const queryAt = original.indexOf('?');
    const path = ctx.normalizeRequestPath(queryAt === -1 ? original : original.slice(0, queryAt));
    if (path === null) return { kind: 'error', error: 'bad-request' };
    const rewritten = rewritePath(features.rewrite, path);
    if (features.rewrite.redirect) {
      const query = queryAt === -1 || queryAt === original.length - 1 ? '' : original.slice(queryAt);
      return redirect(302, absolute(`${rewritten}${query}`, host, ctx.scheme));
    }
    target = upstreamTarget(rewritten, original);
  }
  if (features.sslRedirect !== null && ctx.scheme === 'http') {
    const https = { kind: 'https' as const, preserveTrailingSlash: features.sslRedirect.preserveTrailingSlash };
    return redirect(features.sslRedirect.status, redirectLocation(https, req, host, ctx.scheme));
  }
  return { kind: 'forward', target, rewritten: target !== original };
}

function redirect(status: number, location: string | null): LocationOutcome {
  // The only way a Location cannot be built is a Host header unfit for one (see redirect.ts): nginx answers 400.
  return location === null ? { kind: 'error', error: 'bad-request' } : { kind: 'redirect', status, location };
}
