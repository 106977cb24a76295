import type { Route } from '../model/index.ts';
import { compareStrings } from './diagnostics.ts';
import { escapeUri } from './escape-uri.ts';
import { makeRoute, type ServerDraft } from './server-draft.ts';

// Redirects that belong to a host rather than to one of its paths, precomputed so the lookup costs one Map.get.

/**
 * nginx's auto_redirect (ngx_http_core_find_static_location → NGX_DONE → 301): a request for `/p` when a prefix or
 * exact location named `/p/` exists and none named `/p` is answered 301 to `/p/`. The location names are
 * ingress-nginx's (location.go updateServerLocations): Exact `p` → `= p`; Prefix `p` → `p/` plus `= p`;
 * ImplementationSpecific `p` → `p`. So Prefix `/foo/`, Exact `/foo/` and ImplementationSpecific `/foo/` redirect
 * `/foo`, while Prefix `/foo` answers `/foo` itself — the case where the Kubernetes table (§1.3) differs.
 */
export function slashRedirects(host: string, routes: readonly Route[]): Map<string, Route> | null {
  const names = new Set<string>();
  const owners = new Map<string, Route>();
  for (const route of routes) {
    if (route.pathType === 'Fallback' || route.pathType === 'Redirect') continue;
    const path = route.path === '' ? '/' : route.path;
    const routeNames = route.pathType === 'Prefix' ? [path, path.endsWith('/') ? path : `${path}/`] : [path];
    for (const name of routeNames) {
      names.add(name);
      if (!owners.has(name)) owners.set(name, route);
    }
  }
  const redirects = new Map<string, Route>();
  for (const name of [...names].sort(compareStrings)) {
    if (name === '/' || !name.endsWith('/') || names.has(name.slice(0, -1))) continue;
    const owner = owners.get(name)!;
    // nginx's ngx_escape_uri(NGX_ESCAPE_URI) of the location name (clcf->escaped_name).
    const target = { kind: 'slash' as const, path: escapeUri(name) };
    redirects.set(name.slice(0, -1), makeRoute(host, name.slice(0, -1), 'Redirect', owner.ingress, { kind: 'redirect', status: 301, target }));
  }
  return redirects.size === 0 ? null : redirects;
}

/**
 * app-root: nginx.tmpl writes `if ($uri = /) { return 302 $scheme://$http_host<app-root>; }` at server level for
 * each location whose Ingress sets it, in location order; the first one wins, before any location is chosen.
 */
export function appRootRoute(draft: ServerDraft, orderedRoutes: readonly Route[]): Route | null {
  for (const route of orderedRoutes) {
    const appRoot = draft.appRoots.get(route);
    if (appRoot === undefined) continue;
    const action = { kind: 'redirect' as const, status: 302, target: { kind: 'app-root' as const, path: appRoot.path } };
    return makeRoute(draft.host, '/', 'Redirect', appRoot.ingress, action);
  }
  return null;
}
