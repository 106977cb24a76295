// watch/: sources of Kubernetes objects. Both produce complete, frozen SourceUpdates (see ARCHITECTURE.md).
export { normalizeObject, expandList, type NormalizeResult } from './normalize/index.ts';
export { Debouncer, type DebouncerOptions } from './debounce.ts';
export { ManifestSource, type ManifestSourceOptions } from './manifest/manifest-source.ts';
export { isManifestName } from './manifest/list-files.ts';
// The Kubernetes source and status writer are imported on demand (they load @kubernetes/client-node).
export const loadKubeModules = (): Promise<typeof import('./kube-entry.ts')> => import('./kube-entry.ts');
export type { InformerHealth, KubeSource, KubeSourceOptions, StatusPublisher, StatusPublisherOptions } from './kube-entry.ts';
