// deploy/ checked offline: every object against the Kubernetes OpenAPI schema (kubernetes-models' compiled
// validators), the DaemonSet's args by the CLI's own parser, the RBAC rules against what src/watch uses, and the
// hardening an operator relies on. No cluster is needed, so a broken manifest fails here, not at `kubectl apply`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseArgs, type GatewayConfig } from '../../src/cli/options.ts';
import { defaultGlobalSettings, type ConfigMap } from '../../src/model/index.ts';
import { resolveSettings } from '../../src/router/settings/index.ts';
import { kindSpecs } from '../../src/watch/kube/kinds.ts';
import { deployedEnv } from '../../bench/targets/deployed.ts';

const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));
type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };

async function load(): Promise<Obj[]> {
  const kustomization = (await readYaml('kustomization.yaml'))[0]!;
  const files = kustomization['resources'] as string[];
  return (await Promise.all(files.map(readYaml))).flat();
}

async function readYaml(file: string): Promise<Obj[]> {
  const docs = parseAllDocuments(await readFile(deployDir + file, 'utf8'));
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
  return docs.map((doc) => doc.toJS() as Obj);
}

const objects = await load();
const find = (kind: string, name = 'sluice'): Obj => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`deploy/ has no ${kind} ${name}`);
  return found;
};
const daemonSet = find('DaemonSet');
const pod = daemonSet['spec'].template.spec;
const container = pod.containers[0];

function cliConfig(): GatewayConfig {
  const parsed = parseArgs(container.args as string[]);
  if (parsed.kind !== 'config') throw new Error(`DaemonSet args rejected by the CLI: ${parsed.output}`);
  return parsed.config;
}

describe('deploy/ manifests', () => {
  it('every object validates against its Kubernetes schema', async () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(
      ['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'DaemonSet', 'IngressClass', 'Namespace', 'Role', 'RoleBinding', 'Service', 'ServiceAccount'],
    );
    for (const object of objects) {
      // apiVersion "group/version" → kubernetes-models/<group>/<version>/<Kind>; the core group is just "v1".
      const module = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
      const Model = module[object.kind]!;
      expect(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
      if (object.kind !== 'Namespace' && !object.kind.startsWith('Cluster') && object.kind !== 'IngressClass') {
        expect(object.metadata.namespace, `${object.kind} namespace`).toBe('sluice');
      }
    }
  });

  it('the schema check catches a wrong field type (so the test above can fail)', async () => {
    const { DaemonSet } = await import('kubernetes-models/apps/v1/DaemonSet');
    const broken = structuredClone(daemonSet);
    broken['spec'].template.spec.containers[0].ports[0].containerPort = 'eighty';
    expect(() => new DaemonSet(broken).validate()).toThrow(/containerPort/);
  });

  it('the container args are flags the CLI accepts, and agree with the ports and the termination grace period', () => {
    const config = cliConfig();
    expect(config.manifests).toBeUndefined(); // the Kubernetes source
    const ports = Object.fromEntries((container.ports as Array<{ name: string; containerPort: number }>).map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({ http: config.httpPort, https: config.httpsPort, status: config.statusPort });
    expect(config.compile.ingressClass).toBe(find('IngressClass').metadata.name);
    expect(config.compile.controllerClass).toBe(find('IngressClass')['spec'].controller);
    expect(config.compile.controllerClass).toBe('sluice.dev/ingress-controller');
    expect(pod.terminationGracePeriodSeconds * 1000).toBe(config.shutdownDelayMs + config.shutdownGraceMs);
    // The CLI's defaults match the manifest too, so running without args behaves the same way.
    const defaults = parseArgs([]);
    expect(defaults.kind === 'config' && defaults.config.shutdownDelayMs + defaults.config.shutdownGraceMs).toBe(pod.terminationGracePeriodSeconds * 1000);
  });

  it('probes, downward API, rolling update, resources', () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'status' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'status' });
    type EnvVar = { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } };
    const env = Object.fromEntries((container.env as EnvVar[]).map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef.fieldPath]));
    expect(env).toEqual({ POD_NAME: 'metadata.name', POD_NAMESPACE: 'metadata.namespace', ...deployedEnv });
    expect(daemonSet['spec'].updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    expect(pod.serviceAccountName).toBe(find('ServiceAccount').metadata.name);
    expect(daemonSet['spec'].selector.matchLabels).toEqual(find('Service')['spec'].selector);
    // Sized from bench/RESULTS.md for the --workers the DaemonSet sets (without it Sluice would start one worker
    // per node core, whatever the limit): primary + first worker ≈260 MiB busy, ≈120 MiB per further worker,
    // ≈86 MiB for the Kubernetes client; the limit must cover that with 30 % headroom.
    const workers = Number((container.args as string[]).find((a) => a.startsWith('--workers='))?.split('=')[1]);
    expect(workers).toBeGreaterThanOrEqual(1);
    const busyMiB = 260 + 120 * (workers - 1) + 86;
    const mebibytes = (quantity: string): number => Number(/^(\d+)Mi$/.exec(quantity)?.[1]);
    expect(mebibytes(container.resources.limits.memory)).toBeGreaterThanOrEqual(busyMiB * 1.3);
    expect(mebibytes(container.resources.requests.memory)).toBeGreaterThanOrEqual(busyMiB * 0.8);
    expect(container.resources.limits.cpu).toBeUndefined(); // CFS throttling shows as tail latency
  });

  it('runs hardened: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.hostNetwork).toBeUndefined();
    expect(container.ports.every((p: { hostPort?: number }) => p.hostPort === undefined)).toBe(true);
  });

  it('NodePort Service: fixed nodePorts for http and https, externalTrafficPolicy Local', () => {
    const spec = find('Service')['spec'];
    expect(spec.type).toBe('NodePort');
    expect(spec.externalTrafficPolicy).toBe('Local');
    const ports = spec.ports as Array<{ name: string; targetPort: string; nodePort: number }>;
    expect(ports.map((p) => [p.name, p.targetPort, p.nodePort])).toEqual([['http', 'http', 31405], ['https', 'https', 32401]]);
    for (const { nodePort } of ports) expect(nodePort >= 30000 && nodePort <= 32767).toBe(true);
  });

  it('ships the global ConfigMap the DaemonSet names (--configmap), holding nothing Sluice would report', () => {
    const named = cliConfig().configMap;
    expect(named).toEqual({ namespace: 'sluice', name: 'sluice' });
    const shipped = find('ConfigMap', named!.name);
    expect(shipped.metadata.namespace).toBe(named!.namespace);
    const data = (shipped['data'] ?? {}) as Record<string, string>;
    const configMap: ConfigMap = { kind: 'ConfigMap', metadata: { ...shipped.metadata, namespace: 'sluice', uid: '', resourceVersion: '', creationTimestamp: '', annotations: {}, labels: {} }, data };
    expect(resolveSettings(configMap, defaultGlobalSettings, defaultGlobalSettings).diagnostics).toEqual([]);
  });
});

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** "group/resource verb" for every permission a role grants. */
function grants(kind: 'ClusterRole' | 'Role'): string[] {
  return (find(kind)['rules'] as Rule[]).flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res} ${v}`)))).sort();
}

describe('deploy/ RBAC is exactly what the code uses', () => {
  // The API writes of src/watch/status (README "The Kubernetes source"), with where each is made.
  const writes = {
    cluster: [
      'networking.k8s.io/ingresses/status get', 'networking.k8s.io/ingresses/status update', // status-publisher.ts
      '/events create', // event-recorder.ts, in each Ingress's namespace
      '/nodes get', // status-addresses.ts: node addresses
    ],
    namespace: [
      'coordination.k8s.io/leases get', 'coordination.k8s.io/leases create', 'coordination.k8s.io/leases update', // leader-election.ts
      '/pods get', '/pods list', // status-addresses.ts: its own pod and its siblings
    ],
  };

  // Derived from the informers' own table (with the DaemonSet's --configmap), so a kind added there without RBAC
  // fails here. Kinds read everywhere need the ClusterRole; a kind read in one fixed namespace (the global
  // ConfigMap) needs the Role there, and nothing cluster-wide.
  const offline = new KubeConfig(); // a cluster entry is required to build clients; nothing is contacted
  offline.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  const specs = kindSpecs(offline, { configMap: cliConfig().configMap });
  const listWatch = (spec: (typeof specs)[number]): string[] => [`${spec.group}/${spec.plural} list`, `${spec.group}/${spec.plural} watch`];

  it('ClusterRole: list+watch on every kind the informers read everywhere, the status writes, nothing else', () => {
    const informed = specs.filter((spec) => spec.namespace === undefined).flatMap(listWatch);
    expect(informed.length).toBe(10);
    expect(grants('ClusterRole')).toEqual([...informed, ...writes.cluster].sort());
    expect(grants('ClusterRole').some((g) => g.includes('*'))).toBe(false);
  });

  it('Role in the sluice namespace: the leader Lease, the pod lookup, and list+watch of the one global ConfigMap', () => {
    expect(find('Role').metadata.namespace).toBe('sluice');
    const fixed = specs.filter((spec) => spec.namespace !== undefined);
    expect(fixed.map((spec) => [spec.kind, spec.namespace, spec.fieldSelector])).toEqual([['ConfigMap', 'sluice', 'metadata.name=sluice']]);
    expect(grants('Role')).toEqual([...writes.namespace, ...fixed.flatMap(listWatch)].sort());
    // Only that ConfigMap: resourceNames limits list/watch because the informer sends the metadata.name selector.
    const rule = (find('Role')['rules'] as Rule[]).find((r) => r.resources.includes('configmaps'));
    expect(rule?.resourceNames).toEqual([cliConfig().configMap!.name]);
    expect(rule?.verbs).not.toContain('get');
  });

  it('bindings give both roles to the DaemonSet\'s ServiceAccount', () => {
    for (const [binding, role] of [['ClusterRoleBinding', 'ClusterRole'], ['RoleBinding', 'Role']] as const) {
      expect(find(binding)['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: role, name: 'sluice' });
      expect(find(binding)['subjects']).toEqual([{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: 'sluice' }]);
    }
  });
});
