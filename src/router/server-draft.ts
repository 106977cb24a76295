import type { ObjectRef, PathType, Route, RouteAction } from '../model/index.ts';
import type { PathMatcher } from './path-match.ts';

/** A server (one host) while compile fills it; table.ts freezes it into the lookup structure. */
export interface ServerDraft {
  /** Exact host, `*.suffix`, or '' for the catch-all server. */
  readonly host: string;
  /** The 404 or the defaultBackend route; replaced at build time by a rule for `/` if there is one. */
  fallback: Route;
  readonly exact: Map<string, Route>;
  readonly matchers: PathMatcher[];
  /** Who holds each pathType+path (for conflict reports), and each route's field path. */
  readonly owners: Map<string, { readonly ingress: ObjectRef; readonly field: string }>;
  readonly fields: Map<Route, string>;
}

export function newServerDraft(host: string, fallback: Route): ServerDraft {
  return { host, fallback, exact: new Map(), matchers: [], owners: new Map(), fields: new Map() };
}

/** nginx calls the catch-all server `_`; used in ids and messages so '' never appears as a bare empty name. */
export function hostLabel(host: string): string {
  return host === '' ? '_' : host;
}

/** A host as messages show it. */
export function describeHost(host: string): string {
  return host === '' ? '(no host)' : host;
}

/** Stable across recompiles (no counters), unique within a table (one route per host+pathType+path). */
export function routeId(host: string, pathType: PathType | 'Fallback', effectivePath: string): string {
  return `${hostLabel(host)}|${pathType}|${effectivePath}`;
}

export function makeRoute(
  host: string,
  path: string,
  pathType: PathType | 'Fallback',
  ingress: ObjectRef | undefined,
  action: RouteAction,
): Route {
  const id = routeId(host, pathType, path === '' ? '/' : path);
  const route: Route =
    ingress === undefined ? { id, host, path, pathType, action } : { id, host, path, pathType, ingress, action };
  // Tables are shared by every in-flight request; freezing makes accidental mutation by a consumer loud.
  Object.freeze(action);
  return Object.freeze(route);
}

/** The controller's own default backend: answers 404 (ingress-nginx's `upstream-default-backend`). */
export function notFoundFallback(host: string): Route {
  return makeRoute(host, '/', 'Fallback', undefined, { kind: 'not-found', status: 404 });
}
