// Changes under load, with autocannon on the plain route: "config churn" rewrites the served Ingress every
// 100 ms (a second path appears under a new name each time, so every write is a new routing table for the very
// host under load), "endpoint churn" replaces one of the route's two endpoints every 100 ms (the third pod in, the
// second out, and back; all pods stay up, as a rolling update's old pods do while they drain). Every request
// must still succeed: the error count (non-2xx + socket errors + timeouts) must be 0.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hosts } from '../lib/net.ts';
import { canPin, sleep } from '../lib/proc.ts';
import { runAutocannon } from '../load/autocannon.ts';
import { endpointSlice, ingress, manifest, service, writeAtomic } from '../manifests/objects.ts';
import type { Scenario, Target } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { mustStartSluice, type Sluice } from '../targets/sluice.ts';
import type { Pods } from '../targets/pods.ts';

const periodMs = 100;

const ingressText = (version: number): string =>
  manifest([ingress('plain', hosts.plain, [{ path: '/', service: 'web' }, { path: `/churn-${version}`, service: 'web' }])]);

const endpointsText = (pods: Pods, version: number): string =>
  manifest([endpointSlice('web', [pods.http[0]!, pods.http[version % 2 === 0 ? 1 : 2]!])]);

/**
 * Rewrites a file every `periodMs` while the load runs; reports the writes and what Sluice logged meanwhile.
 * Versions keep counting across runs, so every write differs from the file's current content.
 */
function churn(sluice: Sluice, write: (version: number) => Promise<void>, logged: string): () => () => Promise<Record<string, number>> {
  let version = 0;
  return () => {
    let running = true;
    let writes = 0;
    const from = Date.now();
    const loop = (async () => {
      while (running) {
        await write(++version);
        writes++;
        await sleep(periodMs);
      }
    })();
    return async () => {
      running = false;
      await loop;
      return { writes, [logged]: sluice.logs.count(logged, from, Date.now()) };
    };
  };
}

export const churnScenario: Scenario = {
  id: 'churn',
  title: 'Config and endpoint churn under load',
  runsPerRound: 3,
  async run(context) {
    const { cleanup } = context;
    const dir = join(context.dir, 'manifests');
    await mkdir(dir, { recursive: true });
    const ingressFile = join(dir, 'ingress.yaml');
    const endpointsFile = join(dir, 'endpoints.yaml');
    await writeFile(join(dir, 'service.yaml'), manifest([service('web')]));
    await writeFile(ingressFile, ingressText(0));
    await writeFile(endpointsFile, endpointsText(context.pods, 0));
    const sluice = await mustStartSluice({ instance: 0, manifests: dir, args: context.options.sluiceArgs });
    cleanup.add(() => sluice.stop());
    context.processes.push(sluice.command);
    const target = (name: string, during?: Target['during']): Target => ({
      name,
      pid: sluice.pid,
      load: (durationS) => runAutocannon({ url: sluice.url + '/', host: hosts.plain, connections: context.options.connections, durationS }),
      ...(during ? { during } : {}),
    });
    const rows = await runInterleaved(
      [
        target('steady'),
        target('config churn', churn(sluice, (v) => writeAtomic(ingressFile, ingressText(v)), 'routing table installed')),
        target('endpoint churn', churn(sluice, (v) => writeAtomic(endpointsFile, endpointsText(context.pods, v)), 'manifest: update')),
      ],
      context,
    );
    return {
      method: `autocannon, ${context.options.connections} keep-alive connections on the plain route while the bench rewrites a manifest file every ${periodMs} ms ` +
        '(atomically: a dotfile renamed over it). The manifest source debounces changes (100 ms holdoff, 500 ms at most), so several writes may become one update: ' +
        '"routing table installed" and "manifest: update" count what Sluice applied during the run. ' +
        (canPin ? 'Sluice on CPU 1; autocannon, pods and the writer on CPU 0.' : 'Not pinned.'),
      unit: 'req/s',
      rows,
      ratioTo: ['steady'],
      facts: [],
    };
  },
};
