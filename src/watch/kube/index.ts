// The Kubernetes API source (see kube-source.ts) and its configuration lookup.
export { KubeSource, type KubeSourceOptions } from './kube-source.ts';
export type { InformerHealth, InformerState } from './kind-informer.ts';
export { loadKubeConfig, KubeConfigError } from './kube-config.ts';
