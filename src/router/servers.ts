import type { Diagnostic, ObjectRef, RouteAction } from '../model/index.ts';
import { formatRef } from '../model/index.ts';
import type { BackendResolver } from './backend.ts';
import { diagnose } from './diagnostics.ts';
import type { PreparedIngress } from './prepare.ts';
import { describeHost, makeRoute, newServerDraft, notFoundFallback, type ServerDraft } from './server-draft.ts';

// Creates one server per host and decides each server's fallback (what `/` serves when no rule matches), exactly
// as ingress-nginx's createServers does (internal/ingress/controller/controller.go, verified at the version with
// the CVE-2025-1974 comment; reference §1.5). Ingresses arrive oldest first:
//
// - The catch-all server `_` always exists, with the controller's 404 as fallback.
// - An Ingress with spec.defaultBackend and NO rules claims the catch-all's fallback; only the oldest such
//   Ingress does (`if defLoc.IsDefBackend && len(ing.Spec.Rules) == 0`, then IsDefBackend = false).
// - For each rule host not yet created, the Ingress creates the server, with its own spec.defaultBackend as the
//   fallback if it has one, else the 404 (`if _, ok := servers[host]; ok { continue }`). So an Ingress's
//   defaultBackend only serves hosts it is the oldest to define, and never the catch-all when it has rules: the
//   `_` server already exists.
// - A path rule for `/` (Prefix or ImplementationSpecific) later replaces the fallback (table.ts), as
//   getBackendServers replaces the IsDefBackend location.
//
// Our one deviation: ingress-nginx skips a defaultBackend that is not a Service (`DefaultBackend.Service != nil`)
// and leaves the 404; we place it like any other and let it answer 503 with a diagnostic, consistently with
// unresolvable path backends, so that a later change in what we support cannot move traffic to another backend.

/**
 * The server of one host, from the Ingresses with a valid rule for it, oldest first: the oldest creates it and its
 * spec.defaultBackend (if any) is the fallback. For the catch-all host '' the members are also the Ingresses that
 * claim its fallback (spec.defaultBackend and no rules), and the server never has a creator: it always exists.
 */
export function createServer(
  host: string,
  members: readonly PreparedIngress[],
  resolver: BackendResolver,
  diagnostics: Diagnostic[],
): ServerDraft {
  if (host === '') return createCatchAll(members, resolver, diagnostics);
  const creator = members[0]!;
  const defaultBackend = creator.ingress.spec.defaultBackend;
  // Resolved only where used, so an ignored defaultBackend reports why it is ignored, not a missing Service.
  const fallback =
    defaultBackend === undefined
      ? notFoundFallback(host)
      : makeRoute(host, '/', 'Fallback', creator.ref, resolver.resolve(creator.ref, defaultBackend, 'spec.defaultBackend'));
  return newServerDraft(host, fallback, creator);
}

/** An Ingress with spec.defaultBackend and no rules offers the catch-all's fallback. */
export function claimsCatchAll(prepared: PreparedIngress): boolean {
  return prepared.ingress.spec.defaultBackend !== undefined && !prepared.hasRules;
}

function createCatchAll(members: readonly PreparedIngress[], resolver: BackendResolver, diagnostics: Diagnostic[]): ServerDraft {
  const server = newServerDraft('', notFoundFallback(''));
  let catchAllOwner: ObjectRef | undefined;
  for (const prepared of members) {
    if (!claimsCatchAll(prepared)) continue;
    if (catchAllOwner === undefined) {
      catchAllOwner = prepared.ref;
      const action: RouteAction = resolver.resolve(prepared.ref, prepared.ingress.spec.defaultBackend!, 'spec.defaultBackend');
      server.fallback = makeRoute('', '/', 'Fallback', prepared.ref, action);
    } else {
      const why = `${formatRef(catchAllOwner)} already provides the catch-all default backend`;
      diagnostics.push(ignored(prepared.ref, `${why} (oldest first; ties: namespace/name in reverse order, as ingress-nginx)`));
    }
  }
  return server;
}

/**
 * Reports spec.defaultBackends of Ingresses with rules that do not become the fallback of every host they name:
 * `creatorOf(host)` is the oldest Ingress with a rule for the host (createServer's creator). Runs over every
 * Ingress after the hosts are compiled, because it needs each Ingress's standing on all of its hosts.
 */
export function reportUnusedDefaultBackends(
  ingresses: readonly PreparedIngress[],
  creatorOf: (host: string) => PreparedIngress | undefined,
  diagnostics: Diagnostic[],
): void {
  for (const prepared of ingresses) {
    if (prepared.ingress.spec.defaultBackend === undefined || !prepared.hasRules) continue;
    const created: string[] = [];
    const skipped: string[] = [];
    for (const { host } of prepared.rules) {
      if (created.includes(host) || skipped.includes(host)) continue;
      // The catch-all always exists before any Ingress, so a hostless rule never creates it.
      if (host !== '' && creatorOf(host) === prepared) created.push(host);
      else skipped.push(host);
    }
    reportUnusedDefaultBackend(prepared, created, skipped, diagnostics);
  }
}

/**
 * A defaultBackend that applies to no host is almost certainly a surprise (typically: hostless rules plus a
 * defaultBackend, which in ingress-nginx never changes the catch-all), so it is a Warning. One that applies to
 * some hosts but not to others is reported as Info, naming the hosts it does not cover.
 */
function reportUnusedDefaultBackend(
  prepared: PreparedIngress,
  created: readonly string[],
  skipped: readonly string[],
  diagnostics: Diagnostic[],
): void {
  if (skipped.length === 0 && created.length > 0) return;
  const reasons: string[] = [];
  if (skipped.includes('')) {
    reasons.push(
      'rules without a host belong to the catch-all server, whose fallback only an Ingress without rules sets',
    );
  }
  const named = skipped.filter((host) => host !== '');
  if (named.length > 0) {
    reasons.push(`${named.join(', ')} ${named.length > 1 ? 'are' : 'is'} already defined by an older Ingress`);
  }
  if (skipped.length === 0) reasons.push('no rule has a valid host');
  const why = reasons.join('; ');
  if (created.length === 0) {
    const message = `it only becomes the fallback of hosts this Ingress is the oldest to define: ${why}`;
    diagnostics.push(ignored(prepared.ref, message));
    return;
  }
  const message = `spec.defaultBackend is the fallback of ${created.map(describeHost).join(', ')} only: ${why}`;
  diagnostics.push(diagnose(prepared.ref, 'DefaultBackendIgnored', 'spec.defaultBackend', message, 'Info'));
}

function ignored(ingress: ObjectRef, why: string): Diagnostic {
  return diagnose(ingress, 'DefaultBackendIgnored', 'spec.defaultBackend', `spec.defaultBackend is not used: ${why}`);
}
