import type { PreparedIngress } from './prepare.ts';
import type { ServerDraft } from './server-draft.ts';

// Decisions taken per host across every Ingress of the host (`members`: the Ingresses with a rule for it, oldest
// first), before any path is added, because they change how every path of the host behaves.

/**
 * Regex mode (reference §2.1): ingress-nginx renders every location of a server as `~* "^<path>"` as soon as one
 * location of it has use-regex or a rewrite-target different from its own path (template.go
 * enforceRegexModifier / needsRewrite) — whichever Ingress the location comes from. The server's default `/`
 * location counts too: it carries the annotations of the Ingress that created the server (createServers).
 */
export function markRegexHost(server: ServerDraft, members: readonly PreparedIngress[]): void {
  for (const prepared of members) {
    const { useRegex, target } = prepared.annotations.rewrite;
    if (!useRegex && target === null) continue;
    for (const rule of prepared.rules) {
      if (rule.host !== server.host) continue;
      const needsRewrite = target !== null && rule.paths.some((path) => (path.path || '/') !== target.raw);
      if (useRegex || needsRewrite) server.regex = true;
    }
  }
  const rewrite = server.creator?.annotations.rewrite;
  if (rewrite !== undefined && (rewrite.useRegex || (rewrite.target !== null && rewrite.target.raw !== '/'))) {
    server.regex = true;
  }
}

/**
 * Whether the host "has TLS" for ssl-redirect: an Ingress with a rule for the host lists it in spec.tls, with or
 * without secretName (controller.go createServers gives such hosts the default certificate, and
 * lua_ingress.lua redirects when a certificate is configured for the host).
 */
export function hasTls(host: string, members: readonly PreparedIngress[]): boolean {
  return members.some((prepared) => prepared.tlsHosts.has(host) && prepared.rules.some((rule) => rule.host === host));
}
