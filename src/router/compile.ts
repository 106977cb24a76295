import type { CompileOptions, Diagnostic, IngressClass, SettingValues, Snapshot } from '../model/index.ts';
import { BackendResolver } from './backend.ts';
import { compareDiagnostics, compareStrings } from './diagnostics.ts';
import { markRegexHosts, tlsHosts } from './host-modes.ts';
import { addWwwServers, attachFallbackFeatures } from './host-routes.ts';
import { isOurIngress } from './ingress-class.ts';
import { compareIngresses } from './ingress-order.ts';
import { addPathRoutes } from './path-routes.ts';
import { prepareIngress, type PreparedIngress } from './prepare.ts';
import type { FeatureContext } from './route-features.ts';
import { createServers } from './servers.ts';
import { resolveSettings } from './settings/index.ts';
import { CompiledRouteTable } from './table.ts';

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
 * Stages, in the order their decisions depend on each other: servers and their fallbacks (servers.ts) → host-wide
 * regex mode and TLS (host-modes.ts, which need every Ingress of a host) → the fallbacks' annotations → the paths
 * (path-routes.ts) → the www servers of from-to-www-redirect, which must know every served host.
 *
 * The global ConfigMap becomes the table's settings (settings/): `previous` is the settings of the table serving
 * now, which an invalid ConfigMap value leaves in effect for its key (absent: the defaults, options.settings).
 */
export function compile(snapshot: Snapshot, options: CompileOptions, previous: SettingValues = options.settings): CompileResult {
  const { settings, diagnostics } = resolveSettings(snapshot.configMap, options.settings, previous);
  const classes = indexIngressClasses(snapshot.ingressClasses);
  const ingresses = snapshot.ingresses
    .filter((ingress) => isOurIngress(ingress, classes, options))
    .sort(compareIngresses)
    .map((ingress) => prepareIngress(ingress, options, diagnostics))
    .filter((prepared): prepared is PreparedIngress => prepared !== null);
  const resolver = new BackendResolver(snapshot.services, diagnostics);
  const servers = createServers(ingresses, resolver, diagnostics);
  markRegexHosts(ingresses, servers);
  const features: FeatureContext = {
    resolver,
    diagnostics,
    tlsHosts: tlsHosts(ingresses),
    prefix: options.annotationsPrefix,
    fallbacks: new Map(),
    rateLimits: new Map(),
  };
  attachFallbackFeatures(servers.values(), features);
  addPathRoutes(ingresses, servers, { resolver, diagnostics, options, features });
  addWwwServers(servers, features, diagnostics);
  return {
    table: new CompiledRouteTable(servers.values(), resolver.backends, options.pathMatching, settings),
    diagnostics: uniqueSorted(diagnostics),
  };
}

/** A rule reported from two routes (a path and the host's fallback) is one diagnostic. */
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
