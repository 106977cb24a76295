// Where the Kubernetes connection comes from, in client-go's order: an explicit --kubeconfig, else the pod's
// service account (in-cluster), else $KUBECONFIG, else ~/.kube/config. client-node's loadFromDefault() would
// silently fall back to http://localhost:8080 when none exists; Sluice refuses instead, with a message naming
// what it looked for, so a misconfigured pod fails loudly rather than retrying a server that is not there.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export class KubeConfigError extends Error {}

export interface KubeConfigInputs {
  readonly kubeconfig: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly tokenPath?: string;
  readonly home?: string;
}

/** Returns the loaded config and a one-line description of where it came from (for the startup log). */
export function loadKubeConfig(inputs: KubeConfigInputs): { config: KubeConfig; origin: string } {
  const config = new KubeConfig();
  const tokenPath = inputs.tokenPath ?? serviceAccountToken;
  const fromEnv = (inputs.env['KUBECONFIG'] ?? '').split(delimiter).filter((f) => f !== '');
  const home = join(inputs.home ?? homedir(), '.kube', 'config');
  try {
    if (inputs.kubeconfig !== undefined) {
      if (!existsSync(inputs.kubeconfig)) throw new KubeConfigError(`--kubeconfig ${inputs.kubeconfig}: no such file`);
      config.loadFromFile(inputs.kubeconfig);
      return checked(config, `kubeconfig ${inputs.kubeconfig}`);
    }
    if (inputs.env['KUBERNETES_SERVICE_HOST'] && inputs.env['KUBERNETES_SERVICE_PORT'] && existsSync(tokenPath)) {
      config.loadFromCluster();
      return checked(config, 'in-cluster service account');
    }
    if (fromEnv.length > 0) {
      config.loadFromDefault();
      return checked(config, `KUBECONFIG ${fromEnv.join(delimiter)}`);
    }
    if (existsSync(home)) {
      config.loadFromFile(home);
      return checked(config, `kubeconfig ${home}`);
    }
  } catch (err: unknown) {
    if (err instanceof KubeConfigError) throw err;
    throw new KubeConfigError(`cannot load the Kubernetes configuration: ${err instanceof Error ? err.message : String(err)}`);
  }
  throw new KubeConfigError(
    `no Kubernetes configuration found: not running in a pod (no KUBERNETES_SERVICE_HOST and ${tokenPath}), no --kubeconfig, no KUBECONFIG, no ${home}; give --kubeconfig <file>, or --manifests <path> to serve files without a cluster`,
  );
}

function checked(config: KubeConfig, origin: string): { config: KubeConfig; origin: string } {
  const cluster = config.getCurrentCluster();
  if (cluster === null || !cluster.server) throw new KubeConfigError(`${origin}: the current context names no cluster with a server address`);
  return { config, origin: `${origin} (${cluster.server})` };
}
