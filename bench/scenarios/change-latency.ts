// How long a change takes to be served: the bench makes the change (replaces a manifest file, or writes an object
// to the Kubernetes API server), then polls (1 ms apart, one keep-alive connection) until an answer shows it.
// Sluice's logs split the time: the write → the source's update line ('manifest: update': inotify, the debounce,
// re-reading every file; 'kube: update': the watch event, the debounce, the rebuild of the whole view from the
// informers' caches; both debouncers serve an isolated change 10 ms after its first event) → 'routing table
// installed' (snapshot comparison + compile + swap) → the first answer that shows it.
import { join } from 'node:path';
import type { FakeApiServer } from '../../test/fake-apiserver/server.ts';
import { pollUntilServed } from '../lib/http-probe.ts';
import { sleep } from '../lib/proc.ts';
import { writeAtomic } from '../manifests/objects.ts';
import { changeHosts, changeIngress, changeIngressObject, movingEndpoint, movingSlice } from '../manifests/table10k.ts';
import type { Fact } from '../scenario.ts';
import type { Pods } from '../targets/pods.ts';
import type { Sluice } from '../targets/sluice.ts';

export const changeFiles = { ingress: 'change-ingress.yaml', endpoints: 'change-endpoints.yaml' } as const;

export interface ChangeSamples {
  /** The change written (file replaced, API write) → first answer showing it (what a user sees). */
  readonly writeToServed: number[];
  /** The source's update (it has read the change) → first answer showing it: issue 8's "after the source sees it". */
  readonly updateToServed: number[];
  /** The change written → the source's update. */
  readonly writeToUpdate: number[];
  /** The source's update → 'routing table installed' (Ingress changes only: an endpoint change installs no table). */
  readonly updateToInstalled: number[];
}

/**
 * Where the changes are made. Change n of the probe Ingress gives it host changeHosts.ingress(n); change n of the
 * moving EndpointSlice makes it name pods.http[n mod 2] alone (table10k.ts).
 */
export interface ChangeSource {
  /** Sluice's log line marking that its source has read a change. */
  readonly updateLine: 'manifest: update' | 'kube: update';
  /** What "written" is, in the fact labels. */
  readonly written: 'file written' | 'API write';
  changeIngress(n: number): Promise<void>;
  moveEndpoint(n: number): Promise<void>;
}

/** The manifest-file source: each change replaces one file next to the table. */
export function fileChanges(dir: string, pods: Pods): ChangeSource {
  return {
    updateLine: 'manifest: update',
    written: 'file written',
    changeIngress: (n) => writeAtomic(join(dir, changeFiles.ingress), changeIngress(n)),
    moveEndpoint: (n) => writeAtomic(join(dir, changeFiles.endpoints), movingEndpoint(pods, n)),
  };
}

/**
 * The Kubernetes source: each change replaces one object in the fake API server's store, which sends the MODIFIED
 * watch event to Sluice's informer in the same tick (what `kubectl apply` of one object leads to).
 */
export function apiChanges(api: FakeApiServer, pods: Pods): ChangeSource {
  return {
    updateLine: 'kube: update',
    written: 'API write',
    changeIngress: async (n) => void api.apply(changeIngressObject(n)),
    moveEndpoint: async (n) => void api.apply(movingSlice(pods, n)),
  };
}

/** Writes the files the change measurements replace, in their starting state (before Sluice starts). */
export async function writeChangeFiles(dir: string, pods: Pods): Promise<void> {
  await writeAtomic(join(dir, changeFiles.ingress), changeIngress(0));
  await writeAtomic(join(dir, changeFiles.endpoints), movingEndpoint(pods, 0));
}

const empty = (): ChangeSamples => ({ writeToServed: [], updateToServed: [], writeToUpdate: [], updateToInstalled: [] });

async function sample(
  sluice: Sluice,
  source: ChangeSource,
  into: ChangeSamples,
  change: () => Promise<void>,
  served: () => Promise<number>,
  installsTable: boolean,
): Promise<void> {
  const written = Date.now();
  await change();
  const servedAt = await served();
  const update = await sluice.logs.next(source.updateLine, written);
  into.writeToServed.push(servedAt - written);
  into.updateToServed.push(servedAt - update.time);
  into.writeToUpdate.push(update.time - written);
  if (installsTable) into.updateToInstalled.push((await sluice.logs.next('routing table installed', update.time)).time - update.time);
  // Let the debouncer go idle, so each sample starts from a quiet source.
  await sleep(150);
}

export async function ingressChangeLatency(sluice: Sluice, source: ChangeSource, samples: number): Promise<ChangeSamples> {
  const result = empty();
  for (let n = 1; n <= samples; n++) {
    await sample(
      sluice,
      source,
      result,
      () => source.changeIngress(n),
      () => pollUntilServed(sluice.url, changeHosts.ingress(n), (a) => a.status === 200),
      true,
    );
  }
  return result;
}

export async function endpointChangeLatency(sluice: Sluice, source: ChangeSource, pods: Pods, samples: number): Promise<ChangeSamples> {
  const result = empty();
  for (let n = 1; n <= samples; n++) {
    const expected = pods.http[n % 2]!.address;
    await sample(
      sluice,
      source,
      result,
      () => source.moveEndpoint(n),
      () => pollUntilServed(sluice.url, changeHosts.moving, (a) => a.status === 200 && a.headers['x-pod'] === expected),
      false,
    );
  }
  return result;
}

/** The facts of one change measurement, as RESULTS.md shows them (label: "Ingress change, 10k table"). */
export function changeFacts(label: string, source: ChangeSource, samples: ChangeSamples): Fact[] {
  return [
    { label: `${label}: source update → served`, unit: 'ms', samples: samples.updateToServed, kind: 'latency' },
    ...(samples.updateToInstalled.length > 0
      ? [{ label: `${label}: source update → routing table installed`, unit: 'ms', samples: samples.updateToInstalled, kind: 'latency' } as const]
      : []),
    { label: `${label}: ${source.written} → served`, unit: 'ms', samples: samples.writeToServed, kind: 'latency' },
  ];
}
