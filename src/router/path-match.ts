import type { PathType, Route } from '../model/index.ts';

// The one module that knows how a rule path is compared with a request path. Compile turns each rule into a
// PathMatcher once; `selectRoute` is the per-request hot path and must not allocate: only Map.get, startsWith,
// charCodeAt and RegExp#test (which allocates nothing) on the given strings.

/**
 * - exact: `location = /p` — the request path equals the rule path.
 * - element-prefix: Prefix — `match` is the rule path minus one trailing '/' (except '/'); matches `match`
 *   itself or `match` + '/' + anything, so `/foo` matches `/foo/bar` but not `/foobar` (spec §1.3).
 * - string-prefix: ImplementationSpecific — plain string prefix, as ingress-nginx renders `location /foo`, so
 *   `/foo` matches `/foobar`.
 * - regex: a host in regex mode — `location ~* "^<path>"` (reference §2.1), compiled by router/regex.
 */
export type MatchKind = 'exact' | 'element-prefix' | 'string-prefix' | 'regex';

export interface PathMatcher {
  readonly kind: MatchKind;
  /** The compared string; for regex matchers the rule path as written ('' → '/'). */
  readonly match: string;
  /** Only for regex matchers. */
  readonly pattern: RegExp | null;
  /** Precedence length: the rule path as written ('' counts as '/'), so Prefix `/foo/` outranks `/foo`. */
  readonly ruleLength: number;
  /** Order the path was added in (oldest Ingress first, then spec order): ingress-nginx's last tie-break. */
  readonly seq: number;
  readonly route: Route;
}

/** The routes of one server (one host), as the lookup reads them. */
export interface ServerRoutes {
  /** app-root: the answer for `/`, checked before anything else (nginx server-level `if ($uri = /)`). */
  readonly rootRedirect: Route | null;
  /** Exact paths: a hit wins outright, like nginx's `location =` which stops the search. */
  readonly exact: ReadonlyMap<string, Route>;
  /** nginx's 301 to the slashed path: request path → redirect route (non-regex hosts, nginx mode only). */
  readonly slashRedirects: ReadonlyMap<string, Route> | null;
  /** Prefix-like and regex matchers in precedence order (route-order.ts); the first match wins. No catch-alls. */
  readonly matchers: readonly PathMatcher[];
  /** What `/` serves: a Prefix/ImplementationSpecific `/` rule, else the defaultBackend, else 404. */
  readonly fallback: Route;
}

export function matcherSpec(pathType: PathType, path: string): { kind: MatchKind; match: string; ruleLength: number } {
  const effective = path === '' ? '/' : path; // only ImplementationSpecific may omit the path (API validation)
  switch (pathType) {
    case 'Exact':
      return { kind: 'exact', match: effective, ruleLength: effective.length };
    case 'Prefix': {
      const stripped = effective.length > 1 && effective.endsWith('/') ? effective.slice(0, -1) : effective;
      return { kind: 'element-prefix', match: stripped, ruleLength: effective.length };
    }
    case 'ImplementationSpecific':
      return { kind: 'string-prefix', match: effective, ruleLength: effective.length };
  }
}

/** A matcher that matches every path: it becomes the server's fallback instead of the 404/defaultBackend. */
export function matchesEverything(matcher: { kind: MatchKind; match: string }): boolean {
  return matcher.kind !== 'exact' && matcher.match === '/';
}

export function pathMatches(matcher: PathMatcher, path: string): boolean {
  const match = matcher.match;
  switch (matcher.kind) {
    case 'exact':
      return path === match;
    case 'string-prefix':
      return path.startsWith(match);
    case 'element-prefix':
      if (match === '/') return true;
      return path.startsWith(match) && (path.length === match.length || path.charCodeAt(match.length) === 0x2f);
    case 'regex':
      return matcher.pattern!.test(path);
  }
}

export function selectRoute(server: ServerRoutes, path: string): Route {
  if (server.rootRedirect !== null && path.length === 1) return server.rootRedirect;
  const exact = server.exact.get(path);
  if (exact !== undefined) return exact;
  if (server.slashRedirects !== null) {
    const redirect = server.slashRedirects.get(path);
    if (redirect !== undefined) return redirect;
  }
  const matchers = server.matchers;
  for (let i = 0; i < matchers.length; i++) {
    const matcher = matchers[i]!;
    if (pathMatches(matcher, path)) return matcher.route;
  }
  return server.fallback;
}
