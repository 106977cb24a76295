// The Kubernetes API for the scenario that runs Sluice's production source: the tests' fake API server
// (test/fake-apiserver/: the real list/watch protocol over HTTP, paginated lists, resourceVersions, watch events
// from its store), run inside the bench process, so it shares the bench's CPU and never Sluice's. Objects are
// stored before it listens, as if they had been applied long before Sluice started.
import { FakeApiServer } from '../../test/fake-apiserver/server.ts';
import type { RawObject } from '../manifests/objects.ts';

export interface FakeCluster {
  /** Its store, for the scenario's writes (each one sends its watch event in the same tick). */
  readonly api: FakeApiServer;
  /** A kubeconfig for Sluice's `--kubeconfig` (token auth over plain HTTP on loopback). */
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

/** Starts the API server on an ephemeral loopback port holding `objects`; the kubeconfig is written to `dir`. */
export async function startFakeCluster(dir: string, objects: readonly RawObject[]): Promise<FakeCluster> {
  const api = new FakeApiServer();
  for (const object of objects) api.apply(object);
  await api.start();
  const kubeconfig = await api.writeKubeconfig(dir);
  return { api, kubeconfig, stop: () => api.stop() };
}
