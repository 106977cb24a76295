import type { BackendTarget, Diagnostic, RedirectTarget, Route, RouteAction, RouteFeatures } from '../model/index.ts';
import { formatRef } from '../model/index.ts';
import { compareStrings } from './diagnostics.ts';
import type { CompiledRouteTable } from './table.ts';

// Plain, deterministic views of compile output for golden files, logs and debugging endpoints. Servers are
// sorted by host (catch-all '' first); routes are in precedence order, so reading a server top to bottom is
// reading how a request is matched (Exact first, then the first matching prefix, the fallback last).

export function serializeTable(table: CompiledRouteTable): unknown {
  return {
    servers: table.servers.map((server) => ({
      host: server.host,
      ...(server.regex ? { regex: true } : {}),
      routes: server.routes.map(serializeRoute),
    })),
    backends: [...table.backends.values()].sort((a, b) => compareStrings(a.key, b.key)).map(serializeBackend),
  };
}

export function serializeRoute(route: Route): Record<string, unknown> {
  return {
    id: route.id,
    host: route.host,
    path: route.path,
    pathType: route.pathType,
    ...(route.ingress === undefined ? {} : { ingress: `${route.ingress.namespace}/${route.ingress.name}` }),
    action: serializeAction(route.action),
    ...(route.features === undefined ? {} : { features: serializeFeatures(route.features) }),
  };
}

function serializeAction(action: RouteAction): Record<string, unknown> {
  switch (action.kind) {
    case 'forward':
      return { kind: action.kind, backend: action.backend.key };
    case 'unavailable':
      return { kind: action.kind, status: action.status, reason: action.reason };
    case 'not-found':
      return { kind: action.kind, status: action.status };
    case 'redirect':
      return { kind: action.kind, status: action.status, target: serializeTarget(action.target) };
  }
}

function serializeTarget(target: RedirectTarget): string {
  switch (target.kind) {
    case 'url':
      return target.location;
    case 'slash':
    case 'app-root':
      return `${target.kind} ${target.path}`;
    case 'https':
      return `https${target.preserveTrailingSlash ? ' (trailing slash kept)' : ''}`;
    case 'www':
      return `www ${target.host}`;
  }
}

/** Only the features a route has, so golden files show what is on, not a list of nulls. */
function serializeFeatures(features: RouteFeatures): Record<string, unknown> {
  const { redirect, rewrite, sslRedirect, upstreamHost, forwardedPrefix, fallbackBackend, errorPages, rateLimit } = features;
  const { proxyBodySize, proxyConnectTimeoutMs, proxyReadTimeoutMs, proxySendTimeoutMs } = features;
  const parts = rewrite?.parts.map((part) => (typeof part === 'number' ? `$${part}` : part)).join('');
  return {
    ...(redirect === null ? {} : { redirect: `${redirect.status} ${serializeTarget(redirect.target)}` }),
    ...(rewrite === null ? {} : { rewrite: { pattern: rewrite.pattern.source, target: parts, redirect: rewrite.redirect } }),
    ...(sslRedirect === null ? {} : { sslRedirect: `${sslRedirect.status}${sslRedirect.preserveTrailingSlash ? ' (trailing slash kept)' : ''}` }),
    ...(upstreamHost === null ? {} : { upstreamHost }),
    ...(forwardedPrefix === null ? {} : { forwardedPrefix }),
    ...(fallbackBackend === null ? {} : { fallbackBackend: fallbackBackend.backend.key }),
    ...(errorPages === null ? {} : { errorPages: { codes: [...errorPages.codes].sort(), backend: errorPages.backend?.key ?? null } }),
    ...(rateLimit === null ? {} : { rateLimit: { ...rateLimit, allowlist: rateLimit.allowlist?.cidrs ?? null } }),
    ...(proxyBodySize === null ? {} : { proxyBodySize }),
    ...(proxyConnectTimeoutMs === null ? {} : { proxyConnectTimeoutMs }),
    ...(proxyReadTimeoutMs === null ? {} : { proxyReadTimeoutMs }),
    ...(proxySendTimeoutMs === null ? {} : { proxySendTimeoutMs }),
  };
}

function serializeBackend(backend: BackendTarget): Record<string, unknown> {
  const { name, port, targetPort, protocol } = backend.servicePort;
  const { key, namespace, service } = backend;
  return { key, namespace, service, port: { name, port, targetPort, protocol } };
}

export function serializeDiagnostics(diagnostics: readonly Diagnostic[]): unknown[] {
  return diagnostics.map((diagnostic) => ({
    severity: diagnostic.severity,
    reason: diagnostic.reason,
    ...(diagnostic.object === undefined ? {} : { object: formatRef(diagnostic.object) }),
    field: diagnostic.field,
    message: diagnostic.message,
  }));
}
