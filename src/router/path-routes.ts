import type { Diagnostic, ObjectRef } from '../model/index.ts';
import { formatRef } from '../model/index.ts';
import type { BackendResolver } from './backend.ts';
import { diagnose } from './diagnostics.ts';
import { matcherSpec, matchesEverything } from './path-match.ts';
import type { PreparedIngress, PreparedPath } from './prepare.ts';
import { describeHost, makeRoute, type ServerDraft } from './server-draft.ts';

// Adds every valid path rule to its host's server. Rules for one host from several Ingresses merge into one
// server. The same host + path + pathType twice (in two Ingresses or in one) is a conflict: Ingresses arrive
// oldest first, so the first one kept is the oldest, as in ingress-nginx's getBackendServers ("Location ...
// already configured"); the loser is reported and skipped. Same path with a different pathType is no conflict.

export function addPathRoutes(
  ingresses: readonly PreparedIngress[],
  servers: ReadonlyMap<string, ServerDraft>,
  resolver: BackendResolver,
  diagnostics: Diagnostic[],
): void {
  for (const prepared of ingresses) {
    for (const rule of prepared.rules) {
      // createServers made a server for every valid rule host, so this lookup cannot miss.
      const server = servers.get(rule.host)!;
      for (const path of rule.paths) addPath(server, prepared.ref, path, resolver, diagnostics);
    }
  }
  for (const server of servers.values()) reportShadowedRoots(server, diagnostics);
}

function addPath(
  server: ServerDraft,
  ingress: ObjectRef,
  path: PreparedPath,
  resolver: BackendResolver,
  diagnostics: Diagnostic[],
): void {
  const spec = matcherSpec(path.pathType, path.path);
  // '' and '/' are the same ImplementationSpecific path (ingress-nginx: `nginxPath := rootLocation`).
  const effectivePath = path.path === '' ? '/' : path.path;
  const key = `${path.pathType} ${effectivePath}`;
  const owner = server.owners.get(key);
  if (owner !== undefined) {
    const holder = owner.ingress.namespace === ingress.namespace && owner.ingress.name === ingress.name
      ? `${owner.field} of this Ingress`
      : `${formatRef(owner.ingress)}, which takes precedence (oldest first; ties: namespace/name in reverse order, as ingress-nginx)`;
    const what = `${describeHost(server.host)} ${path.pathType} ${JSON.stringify(effectivePath)}`;
    const message = `${what} is already served by ${holder}; this path is skipped`;
    diagnostics.push(diagnose(ingress, 'PathConflict', `${path.field}.path`, message));
    return;
  }
  const action = resolver.resolve(ingress, path.backend, `${path.field}.backend`);
  const route = makeRoute(server.host, path.path, path.pathType, ingress, action);
  server.owners.set(key, { ingress, field: path.field });
  server.fields.set(route, path.field);
  if (spec.kind === 'exact') server.exact.set(spec.match, route);
  else server.matchers.push({ ...spec, route });
}

/**
 * Prefix `/` and ImplementationSpecific `/` both match every path and both want to be the server's `/`
 * (ingress-nginx would render two `location /` blocks, which nginx refuses as a duplicate). Prefix wins by
 * precedence; the ImplementationSpecific one can never match, so its author is told.
 */
function reportShadowedRoots(server: ServerDraft, diagnostics: Diagnostic[]): void {
  const roots = server.matchers.filter(matchesEverything);
  const prefixRoot = roots.find((matcher) => matcher.kind === 'element-prefix');
  if (prefixRoot === undefined) return;
  for (const shadowed of roots) {
    if (shadowed === prefixRoot) continue;
    const field = server.fields.get(shadowed.route) ?? '';
    const winner = formatRef(prefixRoot.route.ingress!);
    const host = describeHost(server.host);
    const message = `${host} ImplementationSpecific "/" never matches: Prefix "/" from ${winner} takes every request`;
    // Path routes always carry their Ingress; only fallbacks may lack one, and those are never matchers.
    diagnostics.push(diagnose(shadowed.route.ingress!, 'PathConflict', `${field}.path`, message));
  }
}
