// Issue 8's change latency on the source production runs: the 10k-Ingress table of `table10k`, served by a Sluice
// whose objects come from a Kubernetes API server (`--kubeconfig`: one @kubernetes/client-node informer per kind,
// watch events → debounce → watch/kube/build-update.ts → the same compile) instead of manifest files. The API
// server is the tests' fake one, in the bench process; every change is one object written to its store.
// No load runs: the figures are the start-up, the idle RSS and the change latencies.
import { canPin } from '../lib/proc.ts';
import { rssMiB } from '../lib/proc-stats.ts';
import { changeIngressObject, movingObjects, tableObjects, tableSize } from '../manifests/table10k.ts';
import type { Fact, Scenario } from '../scenario.ts';
import { startFakeCluster } from '../targets/fake-cluster.ts';
import { mustStartSluice } from '../targets/sluice.ts';
import { apiChanges, changeFacts, endpointChangeLatency, ingressChangeLatency, type ChangeSamples, type ChangeSource } from './change-latency.ts';

const id = 'table10k-kube';
const title = `${tableSize.ingresses.toLocaleString('en')}-Ingress table, Kubernetes source`;

/** Besides the facts table10k gives: the split of "API write → served" at the source's update line. */
function kubeChangeFacts(label: string, source: ChangeSource, samples: ChangeSamples): Fact[] {
  return [
    ...changeFacts(label, source, samples),
    { label: `${label}: ${source.written} → source update`, unit: 'ms', samples: samples.writeToUpdate, kind: 'latency' },
  ];
}

export const table10kKubeScenario: Scenario = {
  id,
  title,
  runsPerRound: 0,
  async run(context) {
    const { cleanup } = context;
    const objects = [...tableObjects(context.pods), changeIngressObject(0), ...movingObjects(context.pods, 0)];
    const storing = performance.now();
    const cluster = await startFakeCluster(context.dir, objects);
    cleanup.add(() => cluster.stop());
    context.progress(`fake API server at ${cluster.api.url}: ${objects.length} objects stored in ${(performance.now() - storing).toFixed(0)} ms`);

    // Flags as test/kube/ starts Sluice: the kubeconfig and nothing else of the Kubernetes source's (see the
    // method text for the status writer this leaves out).
    const sluice = await mustStartSluice({ instance: 0, kubeconfig: cluster.kubeconfig, args: context.options.sluiceArgs, readyTimeoutMs: 180_000 });
    cleanup.add(() => sluice.stop());
    context.processes.push(sluice.command);
    const firstUpdate = await sluice.logs.next('kube: update');
    const installed = await sluice.logs.next('routing table installed');
    const idleRss = await rssMiB(sluice.pid);
    context.progress(`ready ${sluice.readyAt - sluice.spawnedAt} ms after spawn, ${idleRss.toFixed(0)} MiB idle`);

    const samples = context.options.changeSamples;
    context.progress(`change latency: ${samples} samples each`);
    const changes = apiChanges(cluster.api, context.pods);
    const facts: Fact[] = [
      { label: 'spawn → first source update (every kind listed from the fake API server)', unit: 'ms', samples: [firstUpdate.time - sluice.spawnedAt], kind: 'spread' },
      { label: 'source update → routing table installed, at start (Sluice log)', unit: 'ms', samples: [installed.time - firstUpdate.time], kind: 'spread' },
      { label: 'spawn → routing table installed (list + build + compile)', unit: 'ms', samples: [installed.time - sluice.spawnedAt], kind: 'spread' },
      { label: 'RSS idle after start, 10k table, Kubernetes source', unit: 'MiB', samples: [idleRss], kind: 'spread' },
      ...kubeChangeFacts('Ingress change, 10k table', changes, await ingressChangeLatency(sluice, changes, samples)),
      ...kubeChangeFacts('EndpointSlice change, 10k table', changes, await endpointChangeLatency(sluice, changes, context.pods, samples)),
    ];
    return {
      id,
      title,
      method:
        `The table of \`table10k\` (bench/manifests/table10k.ts: ${tableSize.ingresses} Ingresses, ${tableSize.paths} paths, ${tableSize.hosts} hosts, ${tableSize.services} Services with EndpointSlices) ` +
        `and the two probe objects, ${objects.length} objects in all, stored in the tests' fake Kubernetes API server (test/fake-apiserver/: paginated list, watch from a resourceVersion, over HTTP) ` +
        "running in the bench process, which stamps each object's creationTimestamp when it stores it. " +
        'Sluice runs with `--kubeconfig` (no `--manifests`): the production source, one @kubernetes/client-node informer per kind, lists of 500, then watches. ' +
        'Ingress change: the bench replaces Ingress `change` in the store with one naming a new host (one MODIFIED watch event) and polls that host every 1 ms over one keep-alive connection until it answers 200 instead of 404. ' +
        'EndpointSlice change: the bench replaces EndpointSlice `moving` (the only slice of Service `moving`, routed by its own Ingress) with one naming the other pod alone, and polls until the X-Pod header of the answer names that pod. ' +
        '"API write" is the bench\'s clock just before the store write (the store sends the watch event in the same tick); ' +
        '"source update" is the time of Sluice\'s \'kube: update\' line (info level), logged once the watch event is in the informer\'s cache, the debouncer has waited its 10 ms settle, ' +
        'the whole view has been rebuilt from every informer\'s cache and found changed, just before the update is handed to the worker; ' +
        "\"routing table installed\" is logged once the worker serves the update and the primary has compiled it too; \"served\" is the arrival of the first answer showing the change. " +
        'Samples one at a time, 150 ms apart. The start-up figures include the fake API server\'s own work on CPU 0 (it copies and sorts a whole collection for every page of a list), so they are not a real API server\'s. Not measured: Ingress status writes (Sluice has no --publish-status-address and no POD_NAME, as in test/kube/, so the status writer stops at finding its addresses, with a warning; ' +
        'it runs after the workers serve an update, off the path timed here). ' +
        (canPin ? 'Sluice on CPU 1; the fake API server, the pods and the bench on CPU 0.' : 'Not pinned.'),
      unit: 'req/s',
      rows: [],
      ratioTo: [],
      facts,
    };
  },
};
