import type { CompileOptions, Diagnostic, IngressClass, ObjectRef, SettingValues, Snapshot } from '../model/index.ts';
import { CompileCache } from './compile-cache.ts';
import { compareDiagnostics, compareStrings } from './diagnostics.ts';
import { compileHost } from './host-compile.ts';
import { wwwRedirectServers } from './host-routes.ts';
import type { HostIndex } from './host-index.ts';
import { isOurIngress } from './ingress-class.ts';
import type { IngressSet } from './ingress-set.ts';
import type { PreparedIngress } from './prepare.ts';
import { reportUnusedDefaultBackends } from './servers.ts';
import { resolveSettings } from './settings/index.ts';
import { CompiledRouteTable, compileServer, type CompiledServer } from './table.ts';

export interface CompileResult {
  readonly table: CompiledRouteTable;
  /** Sorted (object, field, reason, message), so equal inputs give equal lists. */
  readonly diagnostics: Diagnostic[];
}

/**
 * Snapshot → route table. Pure: no I/O, no clock, no randomness, and it never throws on user input — invalid
 * input becomes a Diagnostic and only the rule or path concerned is skipped (or the Ingress, for an annotation
 * value ingress-nginx rejects). Deterministic: the result depends on the set of objects, not on their order,
 * because every decision is taken in one order (oldest Ingress first, see ingress-order.ts) and every output is
 * sorted.
 *
 * Each Ingress is prepared (prepare.ts: annotations, hosts, paths), then each host is compiled from the
 * Ingresses that name it (host-compile.ts); what needs every host comes last: the defaultBackends that serve
 * fewer hosts than their Ingress names, and the www servers of from-to-www-redirect, which must know every host.
 * `cache` (the caller's, kept from compile to compile) lets unchanged Ingresses and hosts be reused instead of
 * redone; it never changes the result (compile-cache.ts).
 *
 * The global ConfigMap becomes the table's settings (settings/): `previous` is the settings of the table serving
 * now, which an invalid ConfigMap value leaves in effect for its key (absent: the defaults, options.settings).
 */
export function compile(
  snapshot: Snapshot,
  options: CompileOptions,
  previous: SettingValues = options.settings,
  cache: CompileCache = new CompileCache(),
): CompileResult {
  try {
    return compileWith(cache, snapshot, options, previous);
  } catch (error: unknown) {
    // A throw here is a bug, never user input; whatever the cache had half-updated must not outlive it.
    cache.clear();
    throw error;
  }
}

function compileWith(cache: CompileCache, snapshot: Snapshot, options: CompileOptions, previous: SettingValues): CompileResult {
  const { ingresses, hosts } = cache.begin(options);
  const { settings, diagnostics } = resolveSettings(snapshot.configMap, options.settings, previous);
  const classes = indexIngressClasses(snapshot.ingressClasses);
  const changes = ingresses.sync(snapshot.ingresses, snapshot.ingressClasses, (ingress) => isOurIngress(ingress, classes, options), diagnostics);
  const context = { options, services: cache.servicesIndex(snapshot.services), targets: hosts.knownTargets(), rateLimits: cache.rateLimits };
  const changed = hosts.sync(changes, (a, b) => ingresses.compare(a, b), context.services, (host, members) => compileHost(host, members, context));
  for (const hostDiagnostics of hosts.diagnostics()) for (const diagnostic of hostDiagnostics) diagnostics.push(diagnostic);
  reportUnusedDefaultBackends(ingresses.withDefaultBackend(), (host) => hosts.creatorOf(host), diagnostics);
  const www = new Map<string, CompiledServer>();
  for (const draft of wwwRedirectServers(wwwCandidates(hosts, ingresses), (host) => hosts.results.has(host), options.annotationsPrefix, diagnostics)) {
    www.set(draft.host, compileServer(draft, options.pathMatching));
  }
  return {
    table: new CompiledRouteTable(cache.hostServers(hosts, changed, www), hosts.tableBackends(), options.pathMatching, settings),
    diagnostics: uniqueSorted(diagnostics),
  };
}

/**
 * The hosts with from-to-www-redirect, in the order ingress-nginx creates servers (the order its redirect
 * servers are made in, which decides the rare case of two hosts wanting the same www name): by the host's
 * creator, oldest first, then by the creator's first rule for it.
 */
function wwwCandidates(hosts: HostIndex, ingresses: IngressSet): Array<[string, ObjectRef]> {
  const candidates: Array<{ host: string; redirect: ObjectRef; creator: PreparedIngress; rule: number }> = [];
  for (const [host, redirect] of hosts.wwwRedirects()) {
    const creator = hosts.creatorOf(host);
    if (creator === undefined) continue;
    candidates.push({ host, redirect, creator, rule: creator.rules.findIndex((one) => one.host === host) });
  }
  candidates.sort((a, b) => ingresses.compare(a.creator, b.creator) || a.rule - b.rule);
  return candidates.map((candidate) => [candidate.host, candidate.redirect]);
}

/** A rule reported from two routes (a path and the host's fallback), or from two hosts, is one diagnostic. */
function uniqueSorted(diagnostics: Diagnostic[]): Diagnostic[] {
  const sorted = diagnostics.sort(compareDiagnostics);
  return sorted.filter((diagnostic, i) => i === 0 || compareDiagnostics(sorted[i - 1]!, diagnostic) !== 0);
}

function indexIngressClasses(classes: readonly IngressClass[]): Map<string, IngressClass> {
  // Sources de-duplicate objects; sorting first still makes a duplicate name resolve the same way every time.
  const sorted = [...classes].sort(
    (a, b) => compareStrings(a.metadata.name, b.metadata.name) || compareStrings(a.spec.controller, b.spec.controller),
  );
  const byName = new Map<string, IngressClass>();
  for (const ingressClass of sorted) {
    if (!byName.has(ingressClass.metadata.name)) byName.set(ingressClass.metadata.name, ingressClass);
  }
  return byName;
}
