import type { ConfigMap, EndpointSlice, Ingress, IngressClass, Secret, Service } from './objects.ts';

/**
 * A complete, consistent view of the objects routing is compiled from. Sources build a new one for every
 * rebuild (never patch) and freeze it. EndpointSlices are deliberately not part of it: endpoint churn is far
 * more frequent than route changes, so slices flow straight to the proxy's endpoint store (see
 * ARCHITECTURE.md) without recompiling routes.
 *
 * Arrays are sorted by kind-specific identity (namespace, then name) by the source, so two snapshots of the same
 * objects are equal element by element; compile must still not rely on order for its result.
 */
export interface Snapshot {
  readonly ingresses: readonly Ingress[];
  readonly ingressClasses: readonly IngressClass[];
  readonly services: readonly Service[];
  readonly secrets: readonly Secret[];
  /** The global ConfigMap (`--configmap`); null when none is named or it does not exist (every setting at its default). */
  readonly configMap: ConfigMap | null;
}

/** What a source hands to the serving side on every (debounced) change. */
export interface SourceUpdate {
  readonly snapshot: Snapshot;
  readonly endpointSlices: readonly EndpointSlice[];
}

export const emptySnapshot: Snapshot = Object.freeze({
  ingresses: [],
  ingressClasses: [],
  services: [],
  secrets: [],
  configMap: null,
});
