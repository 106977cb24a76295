// Cluster-wide limits: two Sluice processes sharing one real redis-server enforce one budget per client for an
// Ingress annotated sluice.dev/rate-limit-scope: cluster; Redis killed → each limits per node, no request fails;
// Redis back → shared again. The store timeout is generous here (the CI machine may be loaded); its default is 5 ms.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoPod, type EchoPod } from '../../scripts/echo-pod.ts';
import { startGateway, type GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, ingress, service, tempManifestDir, toYaml, writeManifest } from '../support/manifests.ts';
import { sample } from '../support/metrics-text.ts';
import { freePort, RedisProcess } from '../support/rate-limit-redis.ts';
import { annotated } from './annotations-fixture.ts';

function status(base: string, host: string, from: string): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path: '/', agent: false, localAddress: from, headers: { host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function statuses(base: string, host: string, from: string, count: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push(await status(base, host, from));
  return seen;
}

const ok = (n: number): number[] => Array<number>(n).fill(200);
let redis: RedisProcess;
let echo: EchoPod;
let gateways: GatewayProcess[] = [];
let one: string;
let two: string;
let statusOne: string;

beforeAll(async () => {
  redis = new RedisProcess(await freePort());
  await redis.start();
  echo = await startEchoPod('web', '127.0.0.2');
  const dir = await tempManifestDir();
  const rules = (host: string) => [{ host, paths: [{ path: '/', service: 'web' }] }];
  await writeManifest(dir, 'objects.yaml', toYaml([
    service('web'), ...endpointSlices('web', [echo]),
    annotated(ingress('shared', rules('shared.test')), { 'limit-rps': '1', 'sluice.dev/rate-limit-scope': 'cluster' }),
    annotated(ingress('local', rules('local.test')), { 'limit-rps': '1' }),
  ]));
  // One worker each: the test counts each replica's 'rate-limit store connected' lines (one per worker thread).
  const args = ['--manifests', dir, '--rate-limit-store', redis.url, '--rate-limit-store-timeout', '500', '--workers', '1'];
  const started = await Promise.all([startGateway(args), startGateway(args)]);
  gateways = started.map((s) => s.gateway);
  [one, two] = started.map((s) => s.http) as [string, string];
  statusOne = started[0]!.status;
  await Promise.all(gateways.map((g) => g.waitForLog((line) => line['msg'] === 'rate-limit store connected')));
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await echo?.close();
  await redis?.kill();
});

describe('cluster-wide rate limits (--rate-limit-store, sluice.dev/rate-limit-scope: cluster)', () => {
  it('two replicas share one budget: 6 admitted in total, nginx arithmetic', async () => {
    expect(await statuses(one, 'shared.test', '127.0.8.1', 3)).toEqual(ok(3));
    expect(await statuses(two, 'shared.test', '127.0.8.1', 4)).toEqual([...ok(3), 503]);
    expect(await statuses(one, 'shared.test', '127.0.8.1', 1)).toEqual([503]);
  });

  it('an Ingress without the annotation keeps per-replica budgets (ingress-nginx semantics)', async () => {
    expect(await statuses(one, 'local.test', '127.0.8.2', 7)).toEqual([...ok(6), 503]);
    expect(await statuses(two, 'local.test', '127.0.8.2', 7)).toEqual([...ok(6), 503]);
  });

  it('Redis killed mid-test: requests never fail, each replica limits per node; Redis back: shared again', async () => {
    await redis.kill();
    expect(await statuses(one, 'shared.test', '127.0.8.3', 7)).toEqual([...ok(6), 503]);
    expect(await statuses(two, 'shared.test', '127.0.8.3', 7)).toEqual([...ok(6), 503]);
    await Promise.all(gateways.map((g) => g.waitForLog((line) => String(line['msg']).startsWith('rate-limit store unreachable'))));
    // Every cluster-scoped decision made per node is counted (7 requests on replica one).
    const metrics = await (await fetch(`${statusOne}/metrics`)).text();
    expect(sample(metrics, 'sluice_rate_limit_store_fallbacks_total')).toBeGreaterThanOrEqual(7);

    // Stateful matcher: waitForLog first scans past lines (the first connection), then new ones (the second).
    const reconnected = gateways.map((g) => {
      let seen = 0;
      return g.waitForLog((line) => line['msg'] === 'rate-limit store connected' && ++seen === 2);
    });
    await redis.start();
    await Promise.all(reconnected);
    expect(await statuses(one, 'shared.test', '127.0.8.4', 3)).toEqual(ok(3));
    expect(await statuses(two, 'shared.test', '127.0.8.4', 4)).toEqual([...ok(3), 503]);
  }, 30_000);
});
