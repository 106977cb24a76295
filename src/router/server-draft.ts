import type { ObjectRef, PathType, Route, RouteAction, RouteFeatures } from '../model/index.ts';
import { joined } from './joined.ts';
import type { PathMatcher } from './path-match.ts';
import type { PreparedIngress } from './prepare.ts';

/** A server (one host) while compile fills it; table.ts freezes it into the lookup structure. */
export interface ServerDraft {
  /** Exact host, `*.suffix`, or '' for the catch-all server. */
  readonly host: string;
  /** The 404 or the defaultBackend route; replaced at build time by a rule for `/` if there is one. */
  fallback: Route;
  /**
   * The Ingress whose rule created the server: ingress-nginx gives the server's default `/` location that
   * Ingress's annotations (controller.go createServers, locationApplyAnnotations). Absent for the catch-all.
   */
  readonly creator: PreparedIngress | undefined;
  /** Every path of the host is a case-insensitive regex (reference §2.1); decided before paths are added. */
  regex: boolean;
  readonly exact: Map<string, Route>;
  readonly matchers: PathMatcher[];
  /** Who holds each pathType+path (for conflict reports), and each route's field path. */
  readonly owners: Map<string, { readonly ingress: ObjectRef; readonly field: string }>;
  readonly fields: Map<Route, string>;
  /** app-root of the Ingress behind each route, in the order routes were added (fallback included). */
  readonly appRoots: Map<Route, { readonly ingress: ObjectRef; readonly path: string }>;
  /** The first Ingress with from-to-www-redirect among the host's routes. */
  wwwRedirect: ObjectRef | undefined;
}

export function newServerDraft(host: string, fallback: Route, creator?: PreparedIngress): ServerDraft {
  return {
    host,
    fallback,
    creator,
    regex: false,
    exact: new Map(),
    matchers: [],
    owners: new Map(),
    fields: new Map(),
    appRoots: new Map(),
    wwwRedirect: undefined,
  };
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
export function routeId(host: string, pathType: Route['pathType'], effectivePath: string): string {
  return joined(hostLabel(host), '|', pathType, '|', effectivePath);
}

export function makeRoute(
  host: string,
  path: string,
  pathType: PathType | 'Fallback' | 'Redirect',
  ingress: ObjectRef | undefined,
  action: RouteAction,
  features?: RouteFeatures,
): Route {
  const id = routeId(host, pathType, path === '' ? '/' : path);
  const route: Route = {
    id,
    host,
    path,
    pathType,
    ...(ingress === undefined ? {} : { ingress }),
    action,
    ...(features === undefined ? {} : { features }),
  };
  // Tables are shared by every in-flight request; freezing makes accidental mutation by a consumer loud.
  Object.freeze(action);
  return Object.freeze(route);
}

/** The controller's own default backend: answers 404 (ingress-nginx's `upstream-default-backend`). */
export function notFoundFallback(host: string): Route {
  return makeRoute(host, '/', 'Fallback', undefined, { kind: 'not-found', status: 404 });
}
