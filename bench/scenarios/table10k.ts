// Scale of configuration (issue 8): a Sluice serving the 10k-Ingress table against one serving the shared
// 1-route set — req/s (lookups spread over the whole table), compile time, RSS, and how fast a single Ingress
// change and a single EndpointSlice change are served with that table loaded (and, for reference, with 1 route).
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canPin, type Cleanup } from '../lib/proc.ts';
import { rssMiB } from '../lib/proc-stats.ts';
import { runAutocannon } from '../load/autocannon.ts';
import { sharedRoutes } from '../manifests/routes.ts';
import { oneServiceRequests, table10k, tableRequests, tableSize } from '../manifests/table10k.ts';
import { hosts } from '../lib/net.ts';
import type { Fact, Scenario, ScenarioContext } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { mustStartSluice, type Sluice } from '../targets/sluice.ts';
import { changeFacts, endpointChangeLatency, fileChanges, ingressChangeLatency, writeChangeFiles } from './change-latency.ts';
import { measureCompile } from './compile-time.ts';

async function startOn(context: ScenarioContext, cleanup: Cleanup, instance: number, name: string, routes: string): Promise<{ sluice: Sluice; dir: string }> {
  const dir = join(context.dir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'routes.yaml'), routes);
  await writeChangeFiles(dir, context.pods);
  const sluice = await mustStartSluice({ instance, manifests: dir, args: context.options.sluiceArgs, readyTimeoutMs: 180_000 });
  cleanup.add(() => sluice.stop());
  context.processes.push(sluice.command);
  return { sluice, dir };
}

/**
 * What one more worker costs with the 10k table loaded: a third Sluice on the same files with `--workers 2`, idle
 * RSS against the 1-worker one's (the process RSS holds the primary too, which keeps its own snapshot and table
 * for diagnostics and status, so "RSS ÷ workers" would overstate a worker's share).
 */
async function perWorkerRss(context: ScenarioContext, cleanup: Cleanup, dir: string, oneWorkerRss: number): Promise<Fact[]> {
  const args = [...context.options.sluiceArgs.filter((arg) => !arg.startsWith('--workers')), '--workers=2'];
  const two = await mustStartSluice({ instance: 2, manifests: dir, args, readyTimeoutMs: 180_000 });
  cleanup.add(() => two.stop());
  await two.logs.next('routing table installed');
  const twoRss = await rssMiB(two.pid);
  await two.stop();
  return [
    { label: 'RSS idle after start, 10k table, 2 workers', unit: 'MiB', samples: [twoRss], kind: 'spread' },
    { label: 'RSS of one more worker, 10k table (2 workers − 1 worker)', unit: 'MiB', samples: [twoRss - oneWorkerRss], kind: 'spread' },
  ];
}

export const table10kScenario: Scenario = {
  id: 'table10k',
  title: `${tableSize.ingresses.toLocaleString('en')}-Ingress table`,
  runsPerRound: 3,
  async run(context) {
    const { cleanup } = context;
    const big = await startOn(context, cleanup, 0, 'table', table10k(context.pods));
    const size = (await stat(join(big.dir, 'routes.yaml'))).size / 2 ** 20;
    const installed = await big.sluice.logs.next('routing table installed');
    const firstUpdate = await big.sluice.logs.next('manifest: update');
    const idleRss = await rssMiB(big.sluice.pid);
    context.progress(`10k table: ready ${big.sluice.readyAt - big.sluice.spawnedAt} ms after spawn, ${idleRss.toFixed(0)} MiB idle`);
    const compiled = await measureCompile(big.dir, context.options.quick ? 1 : 5);
    const small = await startOn(context, cleanup, 1, 'one-route', sharedRoutes(context.pods));

    const rows = await runInterleaved(
      [
        { name: '1 route', pid: small.sluice.pid, load: (durationS) => runAutocannon({ url: small.sluice.url + '/', host: hosts.plain, connections: context.options.connections, durationS }) },
        { name: '10k table', pid: big.sluice.pid, load: (durationS) => runAutocannon({ url: big.sluice.url + '/', host: hosts.plain, requests: tableRequests(), connections: context.options.connections, durationS }) },
        { name: '10k table, one Service', pid: big.sluice.pid, load: (durationS) => runAutocannon({ url: big.sluice.url + '/', host: hosts.plain, requests: oneServiceRequests(), connections: context.options.connections, durationS }) },
      ],
      context,
    );

    const samples = context.options.changeSamples;
    context.progress(`change latency: ${samples} samples each`);
    const [bigFiles, smallFiles] = [fileChanges(big.dir, context.pods), fileChanges(small.dir, context.pods)];
    const facts: Fact[] = [
      { label: 'compile() of the table (in the bench process)', unit: 'ms', samples: compiled.compileMs, kind: 'spread' },
      { label: 'source update → routing table installed, at start (Sluice log)', unit: 'ms', samples: [installed.time - firstUpdate.time], kind: 'spread' },
      { label: 'spawn → routing table installed (read + parse + compile)', unit: 'ms', samples: [installed.time - big.sluice.spawnedAt], kind: 'spread' },
      { label: 'manifest load in the bench process (read + parse + validate)', unit: 'ms', samples: [compiled.loadMs], kind: 'spread' },
      { label: 'RSS idle after start, 10k table', unit: 'MiB', samples: [idleRss], kind: 'spread' },
      ...changeFacts('Ingress change, 10k table', bigFiles, await ingressChangeLatency(big.sluice, bigFiles, samples)),
      ...changeFacts('EndpointSlice change, 10k table', bigFiles, await endpointChangeLatency(big.sluice, bigFiles, context.pods, samples)),
      ...changeFacts('Ingress change, 1 route', smallFiles, await ingressChangeLatency(small.sluice, smallFiles, samples)),
      ...changeFacts('EndpointSlice change, 1 route', smallFiles, await endpointChangeLatency(small.sluice, smallFiles, context.pods, samples)),
      ...(await perWorkerRss(context, cleanup, big.dir, idleRss)),
    ];
    return {
      method: `${tableSize.ingresses} Ingresses, ${tableSize.paths} paths (Prefix and Exact), ${tableSize.hosts} hosts, ${tableSize.services} Services with EndpointSlices, ` +
        `generated as one ${size.toFixed(1)} MiB YAML manifest (bench/manifests/table10k.ts) next to two small files the change measurements replace. ` +
        `Throughput: autocannon, ${context.options.connections} connections; the "10k table" row cycles over ${tableRequests().length} requests spread across the table's hosts, path types and Services; ` +
        `"one Service" cycles over ${oneServiceRequests().length} requests to hosts spread across the table that share one Service (the lookup cost without the cost of many upstream pools); ` +
        'the 1-route row is a second Sluice on the shared route set. Change latency: the bench replaces one file and polls every 1 ms until the change answers ' +
        '(a new Ingress host: 404 → 200; an EndpointSlice: the X-Pod header of the answer names the new pod); "source update" is the time of Sluice\'s ' +
        "'manifest: update' log line, i.e. after the debounce (an isolated change: 10 ms after its file event) and the re-read of every file. " +
        (canPin ? 'Both Sluice processes on CPU 1; autocannon, pods and the bench on CPU 0.' : 'Not pinned.'),
      unit: 'req/s',
      rows,
      ratioTo: ['1 route'],
      facts,
      notes: [`compile() reported ${compiled.diagnostics} diagnostics for the table (expected 0).`],
    };
  },
};
