import type { PathType, Route } from '../model/index.ts';

// The one module that knows how a rule path is compared with a request path (non-regex hosts; the regex mode of
// a later issue adds a MatchKind here). Compile turns each rule into a PathMatcher once; `selectRoute` is the
// per-request hot path and must not allocate: only Map.get, startsWith and charCodeAt on the given strings.

/**
 * - exact: `location = /p` — the request path equals the rule path.
 * - element-prefix: Prefix — `match` is the rule path minus one trailing '/' (except '/'); matches `match`
 *   itself or `match` + '/' + anything, so `/foo` matches `/foo/bar` but not `/foobar` (spec §1.3).
 * - string-prefix: ImplementationSpecific — plain string prefix, as ingress-nginx renders `location /foo`, so
 *   `/foo` matches `/foobar`.
 */
export type MatchKind = 'exact' | 'element-prefix' | 'string-prefix';

export interface PathMatcher {
  readonly kind: MatchKind;
  readonly match: string;
  /** Precedence length: the rule path as written ('' counts as '/'), so Prefix `/foo/` outranks `/foo`. */
  readonly ruleLength: number;
  readonly route: Route;
}

/** The routes of one server (one host), as the lookup reads them. */
export interface ServerRoutes {
  /** Exact paths: a hit wins outright, like nginx's `location =` which stops the search. */
  readonly exact: ReadonlyMap<string, Route>;
  /** Prefix-like matchers in precedence order (route-order.ts); the first match wins. No catch-all ('/') ones. */
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

export function pathMatches(kind: MatchKind, match: string, path: string): boolean {
  switch (kind) {
    case 'exact':
      return path === match;
    case 'string-prefix':
      return path.startsWith(match);
    case 'element-prefix':
      if (match === '/') return true;
      return path.startsWith(match) && (path.length === match.length || path.charCodeAt(match.length) === 0x2f);
  }
}

export function selectRoute(server: ServerRoutes, path: string): Route {
  const exact = server.exact.get(path);
  if (exact !== undefined) return exact;
  const matchers = server.matchers;
  for (let i = 0; i < matchers.length; i++) {
    const matcher = matchers[i]!;
    if (pathMatches(matcher.kind, matcher.match, path)) return matcher.route;
  }
  return server.fallback;
}
