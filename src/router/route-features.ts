import type { BackendTarget, Diagnostic, PathRewrite, RateLimit, RouteFeatures, RouteOrigin } from '../model/index.ts';
import { annotationField } from './annotations/read-annotations.ts';
import { rateLimitFeature } from './annotations/rate-limit-feature.ts';
import type { BackendResolver } from './backend.ts';
import { diagnose } from './diagnostics.ts';
import type { PreparedIngress } from './prepare.ts';

// Composes, once per route at compile time, what the proxy does for it besides forwarding (RouteFeatures). A
// route none of this applies to gets no features object at all, so the proxy's cost is one property check.

/** nginx's redirect status for ssl-redirect and from-to-www (ConfigMap http-redirect-code, default 308). */
export const httpRedirectCode = 308;
/** ConfigMap no-tls-redirect-locations default: locations whose path starts with it never redirect to https. */
const noTlsRedirectLocation = '/.well-known/acme-challenge';

/** What the routes of one host share while they are compiled. */
export interface FeatureContext {
  readonly resolver: BackendResolver;
  readonly diagnostics: Diagnostic[];
  /** The host "has TLS" for ssl-redirect (host-modes.ts hasTls). */
  readonly hostHasTls: boolean;
  readonly prefix: string;
  /** default-backend annotation per Ingress, resolved (and reported) once per host. */
  readonly fallbacks: Map<PreparedIngress, BackendTarget | null>;
  /**
   * limit-* annotations per Ingress, built once: every path of the Ingress shares one zone and one allowlist,
   * whichever host it is on. Kept across compiles (CompileCache): it depends on the Ingress alone.
   */
  readonly rateLimits: WeakMap<PreparedIngress, RateLimit>;
}

export interface RouteSite {
  readonly host: string;
  /** The rule path as written ('' → '/'). */
  readonly path: string;
  /** The path's regex when the route matches by regex (rewrite captures come from it), else null. */
  readonly pattern: RegExp | null;
  readonly groups: number;
  readonly origin: RouteOrigin;
  /**
   * The host's default location (what no path matches), which carries its creating Ingress's annotations as in
   * ingress-nginx: a rewrite-target's missing capture groups are not reported there — the user wrote no such
   * path, and the Ingress's own paths are reported.
   */
  readonly fallback?: boolean;
}

export function routeFeatures(prepared: PreparedIngress, site: RouteSite, ctx: FeatureContext): RouteFeatures | undefined {
  const { redirect: redirectAnnotation, ssl, headers, backends, rateLimit, proxy } = prepared.annotations;
  const redirect =
    redirectAnnotation !== null && redirectAnnotation.url !== ''
      ? { status: redirectAnnotation.code, target: { kind: 'url' as const, location: redirectAnnotation.url } }
      : null;
  const rewrite = pathRewrite(prepared, site, ctx);
  const httpsWanted = ssl.force || (ssl.redirect && ctx.hostHasTls);
  const sslRedirect =
    httpsWanted && !site.path.startsWith(noTlsRedirectLocation)
      ? { status: httpRedirectCode, preserveTrailingSlash: ssl.preserveTrailingSlash }
      : null;
  const fallback = fallbackBackend(prepared, ctx);
  const fallbackBackendFeature = fallback === null ? null : { backend: fallback, origin: site.origin };
  const errorPages =
    backends.customHttpErrors === null
      ? null
      : { codes: new Set(backends.customHttpErrors), backend: fallback, origin: site.origin };
  const features: RouteFeatures = {
    redirect,
    rewrite,
    sslRedirect,
    upstreamHost: headers.upstreamVhost,
    // template.go buildProxyPass emits X-Forwarded-Prefix only in its rewrite branch.
    forwardedPrefix: rewrite === null ? null : headers.forwardedPrefix,
    fallbackBackend: fallbackBackendFeature,
    errorPages,
    rateLimit: rateLimit === null ? null : ingressRateLimit(prepared, rateLimit, ctx),
    proxyBodySize: proxy.bodySize,
    proxyConnectTimeoutMs: proxy.connectTimeoutMs,
    proxyReadTimeoutMs: proxy.readTimeoutMs,
    proxySendTimeoutMs: proxy.sendTimeoutMs,
  };
  const used = Object.values(features).some((value) => value !== null);
  return used ? Object.freeze(features) : undefined;
}

/** rewrite-target for one path: none when the target equals the path (template.go needsRewrite). */
function pathRewrite(prepared: PreparedIngress, site: RouteSite, ctx: FeatureContext): PathRewrite | null {
  const target = prepared.annotations.rewrite.target;
  if (target === null || target.raw === site.path || site.pattern === null) return null;
  if (target.maxCapture > site.groups && site.fallback !== true) {
    const key = `${ctx.prefix}/rewrite-target`;
    const groups = site.groups === 0 ? 'no capture group' : `only ${site.groups} capture group(s)`;
    const message =
      `rewrite-target ${JSON.stringify(target.raw)} uses $${target.maxCapture} but path ${JSON.stringify(site.path)} ` +
      `has ${groups}: it is replaced by an empty string, as nginx does`;
    ctx.diagnostics.push(diagnose(prepared.ref, 'RewriteCaptureMissing', annotationField(key), message));
  }
  return Object.freeze({ pattern: site.pattern, parts: target.parts, redirect: target.redirect });
}

function ingressRateLimit(
  prepared: PreparedIngress,
  values: NonNullable<PreparedIngress['annotations']['rateLimit']>,
  ctx: FeatureContext,
): RateLimit {
  let limit = ctx.rateLimits.get(prepared);
  if (limit === undefined) ctx.rateLimits.set(prepared, (limit = rateLimitFeature(prepared.ingress.metadata, values)));
  return limit;
}

function fallbackBackend(prepared: PreparedIngress, ctx: FeatureContext): BackendTarget | null {
  const cached = ctx.fallbacks.get(prepared);
  if (cached !== undefined) return cached;
  const name = prepared.annotations.backends.defaultBackend;
  let target: BackendTarget | null = null;
  if (name !== null) {
    target = ctx.resolver.firstPort(prepared.ref.namespace, name) ?? null;
    if (target === null) {
      const field = annotationField(`${ctx.prefix}/default-backend`);
      const message = `default-backend: Service ${prepared.ref.namespace}/${name} not found (or it has no port); ignored`;
      ctx.diagnostics.push(diagnose(prepared.ref, 'AnnotationIgnored', field, message));
    }
  }
  ctx.fallbacks.set(prepared, target);
  return target;
}
