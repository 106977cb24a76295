// watch/: sources of Kubernetes objects. Both produce complete, frozen SourceUpdates (see ARCHITECTURE.md).
export { normalizeObject, expandList, type NormalizeResult } from './normalize/index.ts';
export { Debouncer, type DebouncerOptions } from './debounce.ts';
export { ManifestSource, type ManifestSourceOptions } from './manifest/manifest-source.ts';
export { isManifestName } from './manifest/list-files.ts';
export { KubeSource, type KubeSourceOptions, loadKubeConfig, KubeConfigError } from './kube/index.ts';
export { StatusPublisher, type StatusPublisherOptions } from './status/index.ts';
