// The addresses Sluice publishes in Ingress status.loadBalancer.ingress, as ingress-nginx decides them
// (internal/ingress/status/status.go runningAddresses): the --publish-status-address list when given, else the
// addresses of the nodes running Sluice's pods — pods with the same labels as this one (minus
// pod-template-hash, which differs across a rollout), Running and Ready — preferring each node's ExternalIP,
// else its InternalIP. Pod identity comes from POD_NAME / POD_NAMESPACE (the downward API).
import { isIP } from 'node:net';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';

export interface LoadBalancerIngress {
  readonly ip?: string;
  readonly hostname?: string;
}

export function fromPublishAddresses(addresses: readonly string[]): LoadBalancerIngress[] {
  return sortAddresses(addresses.map((a) => (isIP(a) ? { ip: a } : { hostname: a })));
}

export function sortAddresses(addresses: LoadBalancerIngress[]): LoadBalancerIngress[] {
  const key = (a: LoadBalancerIngress): string => a.ip ?? a.hostname ?? '';
  const unique = new Map(addresses.map((a) => [key(a), a]));
  return [...unique.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function isRunningAndReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Node addresses of the running, ready pods of this controller. Throws when the pod cannot be identified. */
export async function nodeAddresses(core: CoreV1Api, env: NodeJS.ProcessEnv): Promise<LoadBalancerIngress[]> {
  const name = env['POD_NAME'];
  const namespace = env['POD_NAMESPACE'];
  if (!name || !namespace) throw new Error('POD_NAME and POD_NAMESPACE are not set (downward API); give --publish-status-address');
  const self = await core.readNamespacedPod({ name, namespace });
  const labels = Object.entries(self.metadata?.labels ?? {}).filter(([k]) => k !== 'pod-template-hash');
  const labelSelector = labels.map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) });
  const nodes = new Set(pods.items.filter(isRunningAndReady).map((p) => p.spec?.nodeName).filter((n): n is string => !!n));
  const addresses: LoadBalancerIngress[] = [];
  for (const node of nodes) {
    const found = (await core.readNode({ name: node })).status?.addresses ?? [];
    const address = found.find((a) => a.type === 'ExternalIP') ?? found.find((a) => a.type === 'InternalIP');
    if (address) addresses.push({ ip: address.address });
  }
  return sortAddresses(addresses);
}
