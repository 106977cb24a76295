// Who this replica is in leader election, and where its Lease lives: read from the pod's environment.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';

/** client-go's default identity is hostname_uuid; POD_NAME (downward API) is clearer in `kubectl get lease`. */
export function publisherIdentity(env: NodeJS.ProcessEnv): string {
  return `${env['POD_NAME'] || hostname()}_${randomUUID().slice(0, 8)}`;
}

/** POD_NAMESPACE (downward API), else the kubeconfig context's namespace, else `default`. */
export function leaseNamespaceOf(env: NodeJS.ProcessEnv, config: KubeConfig): string {
  return env['POD_NAMESPACE'] || config.getContextObject(config.getCurrentContext())?.namespace || 'default';
}
