import type { Diagnostic, ObjectRef, RouteAction } from '../model/index.ts';
import { unavailable } from './backend.ts';
import { annotationField } from './annotations/read-annotations.ts';
import { diagnose } from './diagnostics.ts';
import { noteHostAnnotations, originOf } from './path-routes.ts';
import { pathRegex } from './regex/path-regex.ts';
import { routeFeatures, httpRedirectCode, type FeatureContext } from './route-features.ts';
import { describeHost, makeRoute, newServerDraft, type ServerDraft } from './server-draft.ts';

// Routes a host gets besides its paths: the annotations of its default `/` location, and the extra server
// from-to-www-redirect creates.

/**
 * ingress-nginx gives a server's default `/` location (the fallback) the annotations of the Ingress that
 * created the server (controller.go createServers → locationApplyAnnotations): a permanent-redirect, an
 * ssl-redirect or a rewrite-target of that Ingress also applies to requests no path matches.
 */
export function attachFallbackFeatures(server: ServerDraft, ctx: FeatureContext): void {
  const creator = server.creator;
  if (creator === undefined) return;
  const old = server.fallback;
  let action: RouteAction = old.action;
  let features;
  if (creator.denied !== null) {
    action = unavailable('AnnotationDenied');
  } else {
    const compiled = server.regex ? pathRegex('/') : undefined;
    const pattern = compiled?.ok === true ? compiled.regex : null;
    const site = { host: server.host, path: '/', pattern, groups: 0, origin: originOf(creator, undefined), fallback: true };
    features = routeFeatures(creator, site, ctx);
  }
  server.fallback = makeRoute(old.host, old.path, 'Fallback', old.ingress, action, features);
  noteHostAnnotations(server, creator, server.fallback);
}

/**
 * from-to-www-redirect (controller.go buildRedirects, nginx.tmpl RedirectServers): for a host `foo.com` (or
 * `www.foo.com`) whose Ingress sets it, requests for `www.foo.com` (or `foo.com`) are answered 308 to the host,
 * unless an Ingress serves that other name itself. Hostless and wildcard rules have no "other name".
 * `candidates`: the hosts with the annotation (and its Ingress), in the order their servers were created;
 * returns the redirect servers to add.
 */
export function wwwRedirectServers(
  candidates: ReadonlyArray<readonly [host: string, wwwRedirect: ObjectRef]>,
  isServed: (host: string) => boolean,
  prefix: string,
  diagnostics: Diagnostic[],
): ServerDraft[] {
  const added = new Map<string, ServerDraft>();
  for (const [to, wwwRedirect] of candidates) {
    if (to === '' || to.startsWith('*.')) continue;
    const from = to.startsWith('www.') ? to.slice(4) : `www.${to}`;
    if (isServed(from) || added.has(from)) {
      const field = annotationField(`${prefix}/from-to-www-redirect`);
      const message =
        `from-to-www-redirect: ${from} is served by an Ingress of its own, so no redirect from it to ` +
        `${describeHost(to)} is made (as ingress-nginx)`;
      diagnostics.push(diagnose(wwwRedirect, 'AnnotationIgnored', field, message));
      continue;
    }
    const action: RouteAction = { kind: 'redirect', status: httpRedirectCode, target: { kind: 'www', host: to } };
    added.set(from, newServerDraft(from, makeRoute(from, '/', 'Redirect', undefined, action)));
  }
  return [...added.values()];
}
