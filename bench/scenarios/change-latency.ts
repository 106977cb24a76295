// How long a change takes to be served: the bench replaces a manifest file, then polls (1 ms apart, one
// keep-alive connection) until an answer shows the change. Sluice's logs split the time: write → the source's
// 'manifest: update' (inotify + the 100 ms debounce holdoff + re-reading the files) → 'routing table installed'
// (snapshot comparison + compile + swap) → the first answer that shows it.
import { join } from 'node:path';
import { pollUntilServed } from '../lib/http-probe.ts';
import { sleep } from '../lib/proc.ts';
import { writeAtomic } from '../manifests/objects.ts';
import { changeHosts, changeIngress, movingEndpoint } from '../manifests/table10k.ts';
import type { Pods } from '../targets/pods.ts';
import type { Sluice } from '../targets/sluice.ts';

export const changeFiles = { ingress: 'change-ingress.yaml', endpoints: 'change-endpoints.yaml' } as const;

export interface ChangeSamples {
  /** File replaced → first answer showing the change (what a user sees). */
  readonly writeToServed: number[];
  /** The source's update (it has read the change) → first answer showing it: issue 8's "after the source sees it". */
  readonly updateToServed: number[];
  /** File replaced → the source's update (debounce + re-read of every manifest file). */
  readonly writeToUpdate: number[];
  /** The source's update → 'routing table installed' (Ingress changes only: an endpoint change installs no table). */
  readonly updateToInstalled: number[];
}

const empty = (): ChangeSamples => ({ writeToServed: [], updateToServed: [], writeToUpdate: [], updateToInstalled: [] });

/** Writes the files the change measurements replace, in their starting state (before Sluice starts). */
export async function writeChangeFiles(dir: string, pods: Pods): Promise<void> {
  await writeAtomic(join(dir, changeFiles.ingress), changeIngress(0));
  await writeAtomic(join(dir, changeFiles.endpoints), movingEndpoint(pods, 0));
}

async function sample(
  sluice: Sluice,
  into: ChangeSamples,
  change: () => Promise<void>,
  served: () => Promise<number>,
  installsTable: boolean,
): Promise<void> {
  const written = Date.now();
  await change();
  const servedAt = await served();
  const update = await sluice.logs.next('manifest: update', written);
  into.writeToServed.push(servedAt - written);
  into.updateToServed.push(servedAt - update.time);
  into.writeToUpdate.push(update.time - written);
  if (installsTable) into.updateToInstalled.push((await sluice.logs.next('routing table installed', update.time)).time - update.time);
  // Let the debouncer go idle, so each sample starts from a quiet source.
  await sleep(150);
}

export async function ingressChangeLatency(sluice: Sluice, dir: string, samples: number): Promise<ChangeSamples> {
  const result = empty();
  for (let n = 1; n <= samples; n++) {
    await sample(
      sluice,
      result,
      () => writeAtomic(join(dir, changeFiles.ingress), changeIngress(n)),
      () => pollUntilServed(sluice.url, changeHosts.ingress(n), (a) => a.status === 200),
      true,
    );
  }
  return result;
}

export async function endpointChangeLatency(sluice: Sluice, dir: string, pods: Pods, samples: number): Promise<ChangeSamples> {
  const result = empty();
  for (let n = 1; n <= samples; n++) {
    const expected = pods.http[n % 2]!.address;
    await sample(
      sluice,
      result,
      () => writeAtomic(join(dir, changeFiles.endpoints), movingEndpoint(pods, n)),
      () => pollUntilServed(sluice.url, changeHosts.moving, (a) => a.status === 200 && a.headers['x-pod'] === expected),
      false,
    );
  }
  return result;
}
