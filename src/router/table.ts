import type { BackendTarget, Route, RouteTable } from '../model/index.ts';
import { compareStrings } from './diagnostics.ts';
import { matchesEverything, selectRoute, type PathMatcher, type ServerRoutes } from './path-match.ts';
import { compareExactRoutes, compareMatchers } from './route-order.ts';
import { newServerDraft, notFoundFallback, type ServerDraft } from './server-draft.ts';

export interface CompiledServer extends ServerRoutes {
  /** Exact host, `*.suffix`, or '' for the catch-all server. */
  readonly host: string;
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
  /** Sorted by host ('' first). */
  readonly servers: readonly CompiledServer[];
  readonly #exactHosts = new Map<string, CompiledServer>();
  /** Keyed by the suffix after `*.`: `*.foo.com` → `foo.com`. */
  readonly #wildcardHosts = new Map<string, CompiledServer>();
  readonly #catchAll: CompiledServer;

  constructor(drafts: Iterable<ServerDraft>, backends: ReadonlyMap<string, BackendTarget>) {
    const servers = [...drafts].map(compileServer).sort((a, b) => compareStrings(a.host, b.host));
    let catchAll: CompiledServer | undefined;
    for (const server of servers) {
      if (server.host === '') catchAll = server;
      else if (server.host.startsWith('*.')) this.#wildcardHosts.set(server.host.slice(2), server);
      else this.#exactHosts.set(server.host, server);
    }
    // compile always creates the catch-all; the guard keeps a hand-built table total as well.
    this.#catchAll = catchAll ?? compileServer(newServerDraft('', notFoundFallback('')));
    this.servers = Object.freeze(servers);
    this.backends = backends;
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

function compileServer(draft: ServerDraft): CompiledServer {
  const exactRoutes = [...draft.exact.values()].sort(compareExactRoutes);
  const ordered = [...draft.matchers].sort(compareMatchers);
  const roots = ordered.filter(matchesEverything);
  const matchers: readonly PathMatcher[] = Object.freeze(ordered.filter((matcher) => !matchesEverything(matcher)));
  // A rule for `/` replaces the fallback, as ingress-nginx replaces the IsDefBackend location (getBackendServers).
  const fallback = roots[0]?.route ?? draft.fallback;
  const routes = [...exactRoutes, ...ordered.map((matcher) => matcher.route)];
  if (roots.length === 0) routes.push(draft.fallback);
  return Object.freeze({
    host: draft.host,
    exact: new Map(exactRoutes.map((route) => [route.path, route])),
    matchers,
    fallback,
    routes: Object.freeze(routes),
  });
}
