import type { BackendTarget, GlobalSettings, PathMatching, Route, RouteTable } from '../model/index.ts';
import { defaultGlobalSettings } from '../model/index.ts';
import { compareStrings } from './diagnostics.ts';
import { matchesEverything, selectRoute, type PathMatcher, type ServerRoutes } from './path-match.ts';
import { compareExactRoutes, compareMatchers } from './route-order.ts';
import { newServerDraft, notFoundFallback, type ServerDraft } from './server-draft.ts';
import { appRootRoute, slashRedirects } from './server-redirects.ts';

export interface CompiledServer extends ServerRoutes {
  /** Exact host, `*.suffix`, or '' for the catch-all server. */
  readonly host: string;
  /** Whether the host's paths are regexes (reference §2.1). */
  readonly regex: boolean;
  /** Every route of the server in precedence order, the effective fallback last (for output and inspection). */
  readonly routes: readonly Route[];
}

/**
 * The immutable result of a compile. Host index, in nginx server_name priority: exact host, then single-label
 * wildcard, then the catch-all server. Lookup cost depends only on the matched server's own routes, never on how
 * many other hosts exist.
 */
export class CompiledRouteTable implements RouteTable {
  readonly backends: ReadonlyMap<string, BackendTarget>;
  readonly settings: GlobalSettings;
  readonly #unsorted: readonly CompiledServer[];
  #sorted: readonly CompiledServer[] | undefined;
  readonly #exactHosts = new Map<string, CompiledServer>();
  /** Keyed by the suffix after `*.`: `*.foo.com` → `foo.com`. */
  readonly #wildcardHosts = new Map<string, CompiledServer>();
  readonly #catchAll: CompiledServer;

  /** `compiled`: one server per host (compileServer), in any order. */
  constructor(
    compiled: Iterable<CompiledServer>,
    backends: ReadonlyMap<string, BackendTarget>,
    pathMatching: PathMatching = 'nginx',
    settings: GlobalSettings = defaultGlobalSettings,
  ) {
    const servers = [...compiled];
    let catchAll: CompiledServer | undefined;
    for (const server of servers) {
      if (server.host === '') catchAll = server;
      else if (server.host.startsWith('*.')) this.#wildcardHosts.set(server.host.slice(2), server);
      else this.#exactHosts.set(server.host, server);
    }
    // compile always creates the catch-all; the guard keeps a hand-built table total as well.
    this.#catchAll = catchAll ?? compileServer(newServerDraft('', notFoundFallback('')), pathMatching);
    this.#unsorted = servers;
    this.backends = backends;
    this.settings = settings;
  }

  /**
   * Every server, sorted by host ('' first), for output and inspection. Sorted when first asked for, not when
   * the table is built: with 5 000 hosts the sort was a third of an incremental compile (≈1.3 of 4 ms), and
   * serving never needs it.
   */
  get servers(): readonly CompiledServer[] {
    return (this.#sorted ??= Object.freeze([...this.#unsorted].sort((a, b) => compareStrings(a.host, b.host))));
  }

  lookup(host: string, path: string): Route {
    return selectRoute(this.serverFor(host), path);
  }

  /** The server a (normalised) host is served by. */
  serverFor(host: string): CompiledServer {
    return this.#exactHosts.get(host) ?? this.#wildcardServer(host) ?? this.#catchAll;
  }

  #wildcardServer(host: string): CompiledServer | undefined {
    if (this.#wildcardHosts.size === 0) return undefined;
    const dot = host.indexOf('.');
    if (dot <= 0 || !isWildcardLabel(host, dot)) return undefined;
    // The one allocation on the lookup path, and only when wildcard hosts exist: the suffix key.
    return this.#wildcardHosts.get(host.slice(dot + 1));
  }
}

/**
 * ingress-nginx renders `*.foo.com` as `~^(?<subdomain>[\w-]+)\.foo\.com$`: exactly one label of word characters
 * or '-'. Checked by char codes because the label is not a separate string.
 */
function isWildcardLabel(host: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = host.charCodeAt(i);
    const word =
      (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;
    if (!word) return false;
  }
  return true;
}

/** A filled-in server draft → its frozen lookup structure. */
export function compileServer(draft: ServerDraft, pathMatching: PathMatching): CompiledServer {
  const exactRoutes = [...draft.exact.values()].sort(compareExactRoutes);
  const ordered = [...draft.matchers].sort(compareMatchers);
  const roots = ordered.filter(matchesEverything);
  const matchers: readonly PathMatcher[] = Object.freeze(ordered.filter((matcher) => !matchesEverything(matcher)));
  // A rule for `/` replaces the fallback, as ingress-nginx replaces the IsDefBackend location (getBackendServers).
  const fallback = roots[0]?.route ?? draft.fallback;
  const pathRoutes = [...exactRoutes, ...ordered.map((matcher) => matcher.route)];
  if (roots.length === 0) pathRoutes.push(draft.fallback);
  // nginx's trailing-slash 301 exists only for prefix/exact locations, i.e. hosts outside regex mode.
  const redirects = pathMatching === 'nginx' && !draft.regex ? slashRedirects(draft.host, pathRoutes) : null;
  const rootRedirect = appRootRoute(draft, pathRoutes);
  const routes = [
    ...(rootRedirect === null ? [] : [rootRedirect]),
    ...exactRoutes,
    ...(redirects === null ? [] : [...redirects.values()]),
    ...pathRoutes.slice(exactRoutes.length),
  ];
  return Object.freeze({
    host: draft.host,
    regex: draft.regex,
    rootRedirect,
    exact: new Map(exactRoutes.map((route) => [route.path, route])),
    slashRedirects: redirects,
    matchers,
    fallback,
    routes: Object.freeze(routes),
  });
}
