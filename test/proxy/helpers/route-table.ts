// A hand-written RouteTable for proxy tests (the real one comes from router/compile): exact hosts, then the
// catch-all '' server; within a host the longest matching path prefix wins; otherwise a 404 route.
import type { BackendTarget, GlobalSettings, Route, RouteAction, RouteFeatures, RouteTable } from '../../../src/model/index.ts';
import { defaultGlobalSettings } from '../../../src/model/index.ts';

export interface TestRoute {
  readonly host?: string;
  readonly path?: string;
  readonly action: RouteAction;
  readonly features?: Partial<RouteFeatures>;
}

export const noFeatures: RouteFeatures = {
  redirect: null, rewrite: null, sslRedirect: null, upstreamHost: null, forwardedPrefix: null, fallbackBackend: null, errorPages: null,
  rateLimit: null, proxyBodySize: null, proxyConnectTimeoutMs: null, proxyReadTimeoutMs: null, proxySendTimeoutMs: null,
};

const notFound: Route = { id: 'default-404', host: '', path: '/', pathType: 'Fallback', action: { kind: 'not-found', status: 404 } };

export function forward(backend: BackendTarget): RouteAction {
  return { kind: 'forward', backend };
}

export function unavailable(reason = 'ServiceNotFound'): RouteAction {
  return { kind: 'unavailable', status: 503, reason };
}

/** `settings`: over the defaults (ingress-nginx's ConfigMap defaults), e.g. `{ proxyReadTimeoutMs: 300 }`. */
export function testTable(
  routes: readonly TestRoute[],
  settings: Partial<GlobalSettings> = {},
): RouteTable & { readonly lookups: { host: string; path: string }[] } {
  const built: Route[] = routes.map((r, i) => ({
    id: `r${i}`,
    host: r.host ?? '',
    path: r.path ?? '/',
    pathType: 'Prefix',
    action: r.action,
    ...(r.features === undefined ? {} : { features: { ...noFeatures, ...r.features } }),
  }));
  const backends = new Map<string, BackendTarget>();
  for (const r of built) if (r.action.kind === 'forward') backends.set(r.action.backend.key, r.action.backend);
  const lookups: { host: string; path: string }[] = [];
  return {
    backends,
    settings: { ...defaultGlobalSettings, ...settings },
    lookups,
    lookup(host: string, path: string): Route {
      lookups.push({ host, path });
      const server = built.some((r) => r.host === host) ? host : '';
      let best: Route | undefined;
      for (const r of built) {
        if (r.host !== server || !path.startsWith(r.path)) continue;
        if (best === undefined || r.path.length > best.path.length) best = r;
      }
      return best ?? notFound;
    },
  };
}

/** Minimal stand-ins for router's normalisers (the proxy receives them injected). */
export function normalizeHost(host: string): string {
  const noPort = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return noPort.toLowerCase().replace(/\.$/, '');
}

export function normalizeRequestPath(raw: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  const out: string[] = [];
  for (const segment of decoded.split('/').slice(1)) {
    if (segment === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else if (segment !== '.' && segment !== '') out.push(segment);
  }
  return `/${out.join('/')}${decoded.endsWith('/') && out.length > 0 ? '/' : ''}`;
}
