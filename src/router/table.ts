import type { BackendTarget, GlobalSettings, PathMatching, Route, RouteTable } from '../model/index.ts';
import { compactList, defaultGlobalSettings } from '../model/index.ts';
import { compareStrings } from './diagnostics.ts';
import { LayeredMap } from './layered-map.ts';
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
 * Every server of a table by host, in the three places a lookup tries in nginx server_name priority. Derived
 * from the previous table's in time proportional to the hosts that changed (layered-map.ts), so a compile that
 * touched one host does not copy 5 000.
 */
export interface HostServers {
  /** By exact host. */
  readonly exact: LayeredMap<CompiledServer>;
  /** By the suffix after `*.`: `*.foo.com` → `foo.com`. */
  readonly wildcard: LayeredMap<CompiledServer>;
  /** The '' server (compile always makes one). */
  readonly catchAll: CompiledServer | undefined;
}

export const noHostServers: HostServers = Object.freeze({ exact: LayeredMap.empty<CompiledServer>(), wildcard: LayeredMap.empty<CompiledServer>(), catchAll: undefined });

/** `previous` with each host's server replaced (undefined: the host has none any more). */
export function withHostServers(previous: HostServers, changes: ReadonlyMap<string, CompiledServer | undefined>): HostServers {
  const exact: Array<[string, CompiledServer | undefined]> = [];
  const wildcard: Array<[string, CompiledServer | undefined]> = [];
  let catchAll = previous.catchAll;
  for (const [host, server] of changes) {
    if (host === '') catchAll = server;
    else if (host.startsWith('*.')) wildcard.push([host.slice(2), server]);
    else exact.push([host, server]);
  }
  return {
    exact: exact.length === 0 ? previous.exact : previous.exact.with(exact),
    wildcard: wildcard.length === 0 ? previous.wildcard : previous.wildcard.with(wildcard),
    catchAll,
  };
}

/**
 * The immutable result of a compile. Host index, in nginx server_name priority: exact host, then single-label
 * wildcard, then the catch-all server. Lookup cost depends only on the matched server's own routes, never on how
 * many other hosts exist.
 */
export class CompiledRouteTable implements RouteTable {
  readonly backends: ReadonlyMap<string, BackendTarget>;
  readonly settings: GlobalSettings;
  readonly #hosts: HostServers;
  #sorted: readonly CompiledServer[] | undefined;
  readonly #catchAll: CompiledServer;

  constructor(
    hosts: HostServers,
    backends: ReadonlyMap<string, BackendTarget>,
    pathMatching: PathMatching = 'nginx',
    settings: GlobalSettings = defaultGlobalSettings,
  ) {
    this.#hosts = hosts;
    // compile always creates the catch-all; the guard keeps a hand-built table total as well.
    this.#catchAll = hosts.catchAll ?? compileServer(newServerDraft('', notFoundFallback('')), pathMatching);
    this.backends = backends;
    this.settings = settings;
  }

  /**
   * Every server, sorted by host ('' first), for output and inspection. Sorted when first asked for, not when
   * the table is built: with 5 000 hosts the sort was a third of an incremental compile (≈1.3 of 4 ms), and
   * serving never needs it.
   */
  get servers(): readonly CompiledServer[] {
    if (this.#sorted === undefined) {
      const { exact, wildcard, catchAll } = this.#hosts;
      const servers = [...(catchAll === undefined ? [] : [catchAll]), ...exact.values(), ...wildcard.values()];
      this.#sorted = Object.freeze(servers.sort((a, b) => compareStrings(a.host, b.host)));
    }
    return this.#sorted;
  }

  lookup(host: string, path: string): Route {
    return selectRoute(this.serverFor(host), path);
  }

  /** The server a (normalised) host is served by. */
  serverFor(host: string): CompiledServer {
    return this.#hosts.exact.get(host) ?? this.#wildcardServer(host) ?? this.#catchAll;
  }

  #wildcardServer(host: string): CompiledServer | undefined {
    if (this.#hosts.wildcard.size === 0) return undefined;
    const dot = host.indexOf('.');
    if (dot <= 0 || !isWildcardLabel(host, dot)) return undefined;
    // The one allocation on the lookup path, and only when wildcard hosts exist: the suffix key.
    return this.#hosts.wildcard.get(host.slice(dot + 1));
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

/**
 * Shared by every host without an Exact path (most Ingresses use Prefix): an empty Map is ≈185 bytes, ≈0.9 MB per
 * thread for 5 000 such hosts. Never written: a compiled server's Maps are read-only (path-match.ts).
 */
const noExactRoutes: ReadonlyMap<string, Route> = new Map();

/** A filled-in server draft → its frozen lookup structure. */
export function compileServer(draft: ServerDraft, pathMatching: PathMatching): CompiledServer {
  const exactRoutes = [...draft.exact.values()].sort(compareExactRoutes);
  const ordered = [...draft.matchers].sort(compareMatchers);
  const roots = ordered.filter(matchesEverything);
  const matchers = Object.freeze(compactList(ordered.filter((matcher) => !matchesEverything(matcher))));
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
    exact: exactRoutes.length === 0 ? noExactRoutes : new Map(exactRoutes.map((route) => [route.path, route])),
    slashRedirects: redirects,
    matchers,
    fallback,
    routes: Object.freeze(compactList(routes)),
  });
}
