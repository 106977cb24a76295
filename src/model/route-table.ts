import type { ObjectRef, PathType, ServicePort } from './objects.ts';

// The contract between compile (router/) and serve (proxy/). router/ builds values of these types; proxy/ only
// reads them. They live in model/ so that proxy code and its tests depend on the shape, not on the compiler.

/** A Service port a route forwards to, resolved at compile time. Endpoints are looked up at request time. */
export interface BackendTarget {
  /** Stable identity `namespace/service:port` (port = ServicePort name, or its number when unnamed). */
  readonly key: string;
  readonly namespace: string;
  readonly service: string;
  /** The matched Service port (gives the slice port name and the numeric targetPort fallback). */
  readonly servicePort: ServicePort;
}

/** What a matched route does. Unresolvable backends stay in the table and answer 503, never fall through. */
export type RouteAction =
  | { readonly kind: 'forward'; readonly backend: BackendTarget }
  | { readonly kind: 'unavailable'; readonly status: 503; readonly reason: string }
  | { readonly kind: 'not-found'; readonly status: 404 };

export interface Route {
  /** Stable, unique within a table; used in logs and metrics labels. */
  readonly id: string;
  /** The server name this route belongs to: exact host, `*.suffix`, or '' for the catch-all server. */
  readonly host: string;
  /** The rule path as written ('' → the server's fallback `/`). */
  readonly path: string;
  readonly pathType: PathType | 'Fallback';
  /** The Ingress that produced it; absent for the controller's own 404 default backend. */
  readonly ingress?: ObjectRef;
  readonly action: RouteAction;
}

export interface RouteTable {
  /**
   * Route for a request. `host` is already normalised (lower case, no port, no trailing dot); `path` is the
   * normalised URL path (decoded, dot-segments resolved, slashes merged; see router's normalizeRequestPath).
   * Always returns a route: unmatched requests get a 404 `not-found` route.
   */
  lookup(host: string, path: string): Route;
  /** Every backend referenced by a forward route (for endpoint bookkeeping and pool warm-up). */
  readonly backends: ReadonlyMap<string, BackendTarget>;
}
