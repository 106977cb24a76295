import type { CompileOptions, Diagnostic, IngressClass, Snapshot } from '../model/index.ts';
import { BackendResolver } from './backend.ts';
import { compareDiagnostics, compareStrings } from './diagnostics.ts';
import { isOurIngress } from './ingress-class.ts';
import { compareIngresses } from './ingress-order.ts';
import { addPathRoutes } from './path-routes.ts';
import { prepareIngress } from './prepare.ts';
import { createServers } from './servers.ts';
import { CompiledRouteTable } from './table.ts';

export interface CompileResult {
  readonly table: CompiledRouteTable;
  /** Sorted (object, field, reason, message), so equal inputs give equal lists. */
  readonly diagnostics: Diagnostic[];
}

/**
 * Snapshot → route table. Pure: no I/O, no clock, no randomness, and it never throws on user input — invalid
 * input becomes a Diagnostic and only the rule or path concerned is skipped. Deterministic: the result depends
 * on the set of objects, not on their order, because every decision is taken in one order (oldest Ingress
 * first, see ingress-order.ts) and every output is sorted.
 */
export function compile(snapshot: Snapshot, options: CompileOptions): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const classes = indexIngressClasses(snapshot.ingressClasses);
  const ingresses = snapshot.ingresses
    .filter((ingress) => isOurIngress(ingress, classes, options))
    .sort(compareIngresses)
    .map((ingress) => prepareIngress(ingress, diagnostics));
  const resolver = new BackendResolver(snapshot.services, diagnostics);
  const servers = createServers(ingresses, resolver, diagnostics);
  addPathRoutes(ingresses, servers, resolver, diagnostics);
  return {
    table: new CompiledRouteTable(servers.values(), resolver.backends),
    diagnostics: diagnostics.sort(compareDiagnostics),
  };
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
