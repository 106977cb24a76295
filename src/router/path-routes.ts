import type { CompileOptions, Diagnostic, Route, RouteAction, RouteOrigin } from '../model/index.ts';
import { formatRef } from '../model/index.ts';
import { unavailable, type BackendResolver } from './backend.ts';
import { diagnose } from './diagnostics.ts';
import { matchesEverything } from './path-match.ts';
import { chooseMatcher } from './path-matchers.ts';
import { preparedPath, type PreparedIngress, type PreparedPath } from './prepare.ts';
import { routeFeatures, type FeatureContext } from './route-features.ts';
import { describeHost, makeRoute, type ServerDraft } from './server-draft.ts';

// Adds every valid path rule to its host's server. Rules for one host from several Ingresses merge into one
// server. The same host + path + pathType twice (in two Ingresses or in one) is a conflict: Ingresses arrive
// oldest first, so the first one kept is the oldest, as in ingress-nginx's getBackendServers ("Location ...
// already configured"); the loser is reported and skipped. Same path with a different pathType is no conflict.

export interface PathContext {
  readonly resolver: BackendResolver;
  readonly diagnostics: Diagnostic[];
  readonly options: CompileOptions;
  readonly features: FeatureContext;
}

/** Adds the paths of `members` (the Ingresses with a rule for the server's host, oldest first) to the server. */
export function addPathRoutes(members: readonly PreparedIngress[], server: ServerDraft, ctx: PathContext): void {
  for (const prepared of members) {
    for (const rule of prepared.rules) {
      if (rule.host !== server.host) continue;
      for (let i = 0; i < rule.paths.length; i++) addPath(server, prepared, preparedPath(prepared, rule, i), ctx);
    }
  }
  reportShadowedRoots(server, ctx.diagnostics);
}

function addPath(server: ServerDraft, prepared: PreparedIngress, path: PreparedPath, ctx: PathContext): void {
  const ingress = prepared.ref;
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
    ctx.diagnostics.push(diagnose(ingress, 'PathConflict', `${path.field}.path`, message));
    return;
  }
  const matcher = chooseMatcher(server, ingress, path, ctx.options, ctx.diagnostics);
  if (matcher === null) return;
  const action = pathAction(prepared, path, ctx.resolver);
  const site = { host: server.host, path: effectivePath, pattern: matcher.rewritePattern, groups: matcher.groups };
  const features =
    prepared.denied === null ? routeFeatures(prepared, { ...site, origin: originOf(prepared, path) }, ctx.features) : undefined;
  const route = makeRoute(server.host, path.path, path.pathType, ingress, action, features);
  const seq = server.owners.size;
  server.owners.set(key, { ingress, field: path.field });
  server.fields.set(route, path.field);
  noteHostAnnotations(server, prepared, route);
  if (matcher.kind === 'exact') server.exact.set(matcher.match, route);
  else server.matchers.push({ ...matcher, seq, route });
}

function pathAction(prepared: PreparedIngress, path: PreparedPath, resolver: BackendResolver): RouteAction {
  // nginx.tmpl: a denied location answers 503 whatever its backend ("# Location denied. Reason: …").
  if (prepared.denied !== null) return unavailable('AnnotationDenied');
  return resolver.resolve(prepared.ref, path.backend, `${path.field}.backend`);
}

/** Who serves a path, as the error-backend headers report it (template.go getIngressInformation). */
export function originOf(prepared: PreparedIngress, path: PreparedPath | undefined): RouteOrigin {
  const service = (path === undefined ? prepared.ingress.spec.defaultBackend : path.backend)?.service;
  const port = service?.port.number ?? service?.port.name ?? '';
  return { namespace: prepared.ref.namespace, ingress: prepared.ref.name, service: service?.name ?? '', servicePort: String(port) };
}

/** Host-level annotations that ride on the route's Ingress: app-root and from-to-www-redirect. */
export function noteHostAnnotations(server: ServerDraft, prepared: PreparedIngress, route: Route): void {
  const appRoot = prepared.annotations.rewrite.appRoot;
  if (appRoot !== null && prepared.denied === null) server.appRoots.set(route, { ingress: prepared.ref, path: appRoot });
  if (prepared.annotations.redirect?.fromToWww === true) server.wwwRedirect ??= prepared.ref;
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
