import type { Ingress } from '../model/index.ts';
import { compareStrings } from './diagnostics.ts';
import { joined } from './joined.ts';

/**
 * The one order in which Ingresses are applied: oldest first, so that whatever an older Ingress claims (a host's
 * fallback, a host+path, the catch-all default backend) cannot be taken over by a newer one — the rule
 * ingress-nginx documents ("Building the NGINX model") and Gateway API also uses.
 *
 * An absent or unparsable creationTimestamp (manifest files have none) counts as the oldest possible time, like
 * Go's zero time.Time does in ingress-nginx's sortIngressSlice. Ties are broken as ingress-nginx breaks them, by
 * the string "namespace/name" compared DESCENDING (internal/ingress/controller/store/store.go sortIngressSlice:
 * `return in > jn`): Ingresses that ingress-nginx let win a conflict must win it here too (the migration promise),
 * even though the order looks backwards. It matters mostly for manifest files, where every timestamp ties.
 */
export function compareIngresses(a: Ingress, b: Ingress): number {
  const ta = creationTime(a);
  const tb = creationTime(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareStrings(qualifiedName(b), qualifiedName(a));
}

export function qualifiedName(ingress: Ingress): string {
  return joined(ingress.metadata.namespace, '/', ingress.metadata.name);
}

export function creationTime(ingress: Ingress): number {
  const parsed = Date.parse(ingress.metadata.creationTimestamp);
  return Number.isNaN(parsed) ? Number.NEGATIVE_INFINITY : parsed;
}

