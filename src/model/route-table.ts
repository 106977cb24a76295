import type { BlockList } from 'node:net';
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

/**
 * Where a redirect points. Most targets depend on the request (its Host, its target), so they are described here
 * and turned into a Location header by the proxy; none of them ever echoes a value that could start a second
 * header line or make the Location scheme-relative (proxy/redirect.ts).
 */
export type RedirectTarget =
  /** permanent-redirect / temporal-redirect: the annotation's URL, verbatim (nginx `return <code> <url>`). */
  | { readonly kind: 'url'; readonly location: string }
  /** nginx's auto_redirect for a location ending in '/': `<scheme>://<host><path>[?<query>]`. */
  | { readonly kind: 'slash'; readonly path: string }
  /** app-root: `<scheme>://<Host header><path>` (nginx.tmpl `return 302 $scheme://$http_host<app-root>`). */
  | { readonly kind: 'app-root'; readonly path: string }
  /** ssl-redirect / force-ssl-redirect: `https://<host><request target>` (lua_ingress.lua redirect_to_https). */
  | { readonly kind: 'https'; readonly preserveTrailingSlash: boolean }
  /** from-to-www-redirect: `<scheme>://<host><request target without a trailing '/'>` (nginx.tmpl). */
  | { readonly kind: 'www'; readonly host: string };

/** What a matched route does. Unresolvable backends stay in the table and answer 503, never fall through. */
export type RouteAction =
  | { readonly kind: 'forward'; readonly backend: BackendTarget }
  | { readonly kind: 'unavailable'; readonly status: 503; readonly reason: string }
  | { readonly kind: 'not-found'; readonly status: 404 }
  | { readonly kind: 'redirect'; readonly status: number; readonly target: RedirectTarget };

/**
 * rewrite-target, compiled: the request path (normalised, decoded) is matched against `pattern` (the route's
 * path regex) and replaced by the template, as nginx's `rewrite "(?i)<path>" <target> break;` does.
 */
export interface PathRewrite {
  /** Anchored at the start; capture groups numbered as in the Ingress path. */
  readonly pattern: RegExp;
  /** Literal text and capture numbers ($1 → 1), in order. A missing capture is replaced by '' (as nginx). */
  readonly parts: readonly (string | number)[];
  /** The target is an absolute http(s) URL: nginx answers 302 with it instead of proxying. */
  readonly redirect: boolean;
}

/** Who a request belongs to, for the X-Namespace/X-Ingress-Name/X-Service-* headers error backends receive. */
export interface RouteOrigin {
  readonly namespace: string;
  readonly ingress: string;
  readonly service: string;
  /** The backend's port as written in the Ingress (number or name). */
  readonly servicePort: string;
}

/** custom-http-errors: upstream answers with these codes are replaced by the error backend's answer. */
export interface ErrorPages {
  readonly codes: ReadonlySet<number>;
  /** The default-backend annotation's Service; null → Sluice's own default backend (404), as ingress-nginx. */
  readonly backend: BackendTarget | null;
  readonly origin: RouteOrigin;
}

/**
 * One limit_req of nginx (limit-rps or limit-rpm), in nginx's own fixed-point units so that the proxy reproduces
 * its arithmetic exactly (proxy/rate-limit/leaky-bucket.ts).
 */
export interface RequestRateLimit {
  /** The zone: one per Ingress and kind (`<ns>/<name>/<uid>/rps`), shared by all its hosts and paths. */
  readonly zone: string;
  /** nginx ctx->rate: milli-requests per second (r/s × 1000; r/m × 1000 / 60, truncated). */
  readonly rate: number;
  /** nginx limit->burst: burst requests × 1000. */
  readonly burst: number;
}

/** limit-rps/-rpm/-connections/-allowlist of one Ingress, enforced per client address by proxy/rate-limit/. */
export interface RateLimit {
  /** rps then rpm (ingress-nginx's template order); all must admit, and only then does any consume budget. */
  readonly requests: readonly RequestRateLimit[];
  /** limit-connections: requests in progress per client address; null when unset. */
  readonly connections: { readonly zone: string; readonly limit: number } | null;
  /** limit-allowlist: these clients are not counted by any limit (nginx gives them an empty key). */
  readonly allowlist: { readonly cidrs: readonly string[]; readonly list: BlockList } | null;
  /** sluice.dev/rate-limit-scope: 'cluster' shares limit-rps/-rpm through --rate-limit-store; 'node' (default) as nginx. */
  readonly scope: 'node' | 'cluster';
}

/**
 * Per-route request processing decided by annotations, composed when the table is built. A route without any
 * has no `features` at all, so the proxy's cost for an unused feature is one property check.
 */
export interface RouteFeatures {
  /** permanent-redirect / temporal-redirect (nginx `return`, before the rewrite). */
  readonly redirect: { readonly status: number; readonly target: RedirectTarget } | null;
  readonly rewrite: PathRewrite | null;
  /** ssl-redirect / force-ssl-redirect, already decided for this route's host (has TLS) and path. */
  readonly sslRedirect: { readonly status: number; readonly preserveTrailingSlash: boolean } | null;
  /** upstream-vhost: the Host header sent upstream. */
  readonly upstreamHost: string | null;
  /** x-forwarded-prefix (only set together with a rewrite, as ingress-nginx's buildProxyPass). */
  readonly forwardedPrefix: string | null;
  /** default-backend annotation: serves the request when the route's backend has no endpoints. */
  readonly fallbackBackend: { readonly backend: BackendTarget; readonly origin: RouteOrigin } | null;
  readonly errorPages: ErrorPages | null;
  /** limit-* annotations (nginx limit_req / limit_conn, preaccess phase). */
  readonly rateLimit: RateLimit | null;
  /** proxy-body-size annotation, in bytes (0: unlimited); null: the table's settings.proxyBodySize applies. */
  readonly proxyBodySize: number | null;
  /**
   * proxy-connect-timeout annotation, in ms; null: the table's settings.proxyConnectTimeoutMs applies. Requests of
   * a route with its own value use upstream pools of that value (proxy/upstream/upstream-pools.ts).
   */
  readonly proxyConnectTimeoutMs: number | null;
  /** proxy-read-timeout annotation, in ms; null: the table's settings.proxyReadTimeoutMs applies. */
  readonly proxyReadTimeoutMs: number | null;
  /** proxy-send-timeout annotation, in ms; null: the table's settings.proxySendTimeoutMs applies. */
  readonly proxySendTimeoutMs: number | null;
}

export interface Route {
  /** Stable, unique within a table; used in logs and metrics labels. */
  readonly id: string;
  /** The server name this route belongs to: exact host, `*.suffix`, or '' for the catch-all server. */
  readonly host: string;
  /** The rule path as written ('' → the server's fallback `/`). */
  readonly path: string;
  /** 'Redirect': a redirect Sluice adds for the host (app-root, nginx's trailing-slash 301, from-to-www). */
  readonly pathType: PathType | 'Fallback' | 'Redirect';
  /** The Ingress that produced it; absent for the controller's own 404 default backend. */
  readonly ingress?: ObjectRef;
  readonly action: RouteAction;
  /** Absent when the route only forwards (the common case). */
  readonly features?: RouteFeatures;
}

/**
 * Process-wide settings: the global ConfigMap's values (ingress-nginx's key names) over the CLI flags' defaults,
 * resolved by compile (router/settings). They travel on the RouteTable, so a request reads the settings of the one
 * table it started with, and a ConfigMap change takes effect with the next table swap, exactly like a route change.
 */
export interface GlobalSettings extends SettingValues {
  /**
   * The Strict-Transport-Security value the four hsts values make (null: hsts off), built once per table so the
   * HTTPS listener sets it without string work per request.
   */
  readonly strictTransportSecurity: string | null;
}

/** The settings as the flags and ConfigMap keys give them (GlobalSettings without what is derived from them). */
export interface SettingValues {
  /** proxy-connect-timeout (whole seconds in the ConfigMap) / --proxy-connect-timeout: upstream TCP connect → 504. */
  readonly proxyConnectTimeoutMs: number;
  /** proxy-read-timeout / --proxy-read-timeout: the gap allowed between two reads from the upstream → 504. */
  readonly proxyReadTimeoutMs: number;
  /**
   * proxy-send-timeout / --proxy-send-timeout: the gap allowed between two writes of the request to the upstream
   * (a body the pod stops taking) → 504.
   */
  readonly proxySendTimeoutMs: number;
  /** proxy-body-size / --proxy-body-size (nginx client_max_body_size) in bytes; larger request bodies get 413; 0: no limit. */
  readonly proxyBodySize: number;
  /** limit-req-status-code / --limit-req-status-code: answer to requests refused by limit-rps/limit-rpm. */
  readonly limitReqStatusCode: number;
  /** limit-conn-status-code / --limit-conn-status-code: answer to requests refused by limit-connections. */
  readonly limitConnStatusCode: number;
  /** hsts / --no-hsts. */
  readonly hsts: boolean;
  /** hsts-max-age / --hsts-max-age, seconds. */
  readonly hstsMaxAge: number;
  /** hsts-include-subdomains / --no-hsts-include-subdomains. */
  readonly hstsIncludeSubdomains: boolean;
  /** hsts-preload / --hsts-preload. */
  readonly hstsPreload: boolean;
  /** disable-access-log: no access-log lines (--access-log chooses where they go when on). */
  readonly disableAccessLog: boolean;
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
  /** The global settings in effect for requests served by this table. */
  readonly settings: GlobalSettings;
}
