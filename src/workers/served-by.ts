// Whether an Ingress is ours (its class), asked by the certificate plan in the primary and in every worker. Its
// own module, not the data plane's: the primary needs it without loading the serving side (undici and the proxy).
import type { GatewayConfig } from '../cli/options.ts';
import type { Ingress, IngressClass, Snapshot } from '../model/index.ts';
import { isOurIngress } from '../router/index.ts';

/** The IngressClass map is built once per snapshot, not once per Ingress asked about. */
export function servedBy(config: GatewayConfig): (ingress: Ingress, snapshot: Snapshot) => boolean {
  const classMaps = new WeakMap<Snapshot, Map<string, IngressClass>>();
  return (ingress, snapshot) => {
    let classes = classMaps.get(snapshot);
    if (classes === undefined) classMaps.set(snapshot, (classes = new Map(snapshot.ingressClasses.map((c) => [c.metadata.name, c]))));
    return isOurIngress(ingress, classes, config.compile);
  };
}
