// The Kubernetes source and the status writer, loaded on demand: they pull in @kubernetes/client-node, which
// costs ≈86 MiB of resident memory on import (measured on Node 24), and manifest-file mode never needs it.
export { KubeSource, type KubeSourceOptions, type InformerHealth, loadKubeConfig, KubeConfigError } from './kube/index.ts';
export { StatusPublisher, type StatusPublisherOptions, leaseNamespaceOf, publisherIdentity } from './status/index.ts';
