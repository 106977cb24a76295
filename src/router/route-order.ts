import type { Route } from '../model/index.ts';
import { compareStrings } from './diagnostics.ts';
import type { PathMatcher } from './path-match.ts';

// The one place that defines the total order of routes within a server. The lookup takes the first matcher that
// matches in this order, so this order IS the precedence:
//
// 1. Exact routes are looked up first and win outright (nginx `location =` short-circuits; spec §1.3 "Mixed").
// 2. Longest rule path as written first (spec §1.4 "longest matching path"; nginx picks the longest prefix
//    location). Raw length, so Prefix `/foo/` (5) beats Prefix `/foo` (4), as the spec requires.
// 3. Equal length: Prefix before ImplementationSpecific before regex (the spec only ranks Exact over Prefix;
//    ranking the element-wise Prefix above the looser string prefix keeps the more specific rule first).
// 4. Regex matchers (hosts in regex mode) can overlap at equal length, so their order is ingress-nginx's exactly:
//    getBackendServers sorts locations by path DESCENDING, then stable-sorts by length descending (controller.go),
//    and nginx tries regex locations in that file order; the insertion order (oldest Ingress first) breaks the
//    remaining ties, as the stable sort keeps it. The documented consequence — `/foo/bar/[A-Z0-9]{3}` is tried
//    before `/foo/bar/bar` and takes its requests — is reproduced on purpose (ingress-path-matching.md "Warning").
// 5. Non-regex matchers: then the path text, only to make the order total — two different paths of equal length
//    and kind can never match the same request, so this step never changes which route a request gets.

const kindRank: Readonly<Record<PathMatcher['kind'], number>> = {
  exact: 0,
  'element-prefix': 1,
  'string-prefix': 2,
  regex: 3,
};

export function compareMatchers(a: PathMatcher, b: PathMatcher): number {
  const byLength = b.ruleLength - a.ruleLength || kindRank[a.kind] - kindRank[b.kind];
  if (byLength !== 0) return byLength;
  if (a.kind === 'regex') return compareStrings(b.match, a.match) || a.seq - b.seq;
  return compareStrings(a.route.path, b.route.path);
}

/** Exact routes never compete with each other (a request equals at most one path); sorted for stable output. */
export function compareExactRoutes(a: Route, b: Route): number {
  return compareStrings(a.path, b.path);
}
