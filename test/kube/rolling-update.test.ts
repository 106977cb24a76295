// "During a rolling update, traffic goes only to available pods; zero downtime": Deployment pods replaced one by
// one under continuous load through the real CLI, with EndpointSlice changes arriving from the fake API server
// through client-node, and real upstream servers on loopback as pods. Every failed request is counted.
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeApiServer } from '../fake-apiserver/server.ts';
import type { GatewayProcess } from '../support/gateway-process.ts';
import { send } from '../support/http-client.ts';
import { ingress, service } from '../support/manifests.ts';
import { publish, podPort, startAppPod, startLoad, type AppPod, type Load, type PodState } from './rollout-support.ts';
import { applyAll, startApiServer, startKubeGateway } from './support.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

interface Rollout {
  api: FakeApiServer;
  gateway: GatewayProcess;
  http: string;
  port: number;
  pods: AppPod[];
  nextIp: () => string;
}

async function deployment(replicas: number, firstIp: number): Promise<Rollout> {
  let ip = firstIp;
  const nextIp = (): string => `127.0.0.${ip++}`;
  const first = await startAppPod(nextIp(), 0);
  const port = podPort(first);
  const pods = [first];
  for (let i = 1; i < replicas; i++) pods.push(await startAppPod(nextIp(), port));
  const { api, kubeconfig } = await startApiServer();
  cleanup.push(async () => Promise.all(pods.map((p) => (p.server.listening ? p.shutdown() : undefined))), () => api.stop());
  applyAll(api, [service('app'), ingress('app', [{ host: 'app.test', paths: [{ path: '/', service: 'app' }] }])]);
  const { gateway, http } = await startKubeGateway(kubeconfig);
  cleanup.push(() => gateway.stop());
  await publish(api, gateway, port, pods.map((pod) => ({ pod, state: 'ready' as PodState })));
  return { api, gateway, http, port, pods, nextIp };
}

function states(ready: readonly AppPod[], terminating: readonly AppPod[] = []): { pod: AppPod; state: PodState }[] {
  return [...ready.map((pod) => ({ pod, state: 'ready' as const })), ...terminating.map((pod) => ({ pod, state: 'terminating' as const }))];
}

/** Every state of a rollout is crossed by this many completed requests. */
const perStep = 40;

/** Publishes and then lets live traffic run through the new state. */
async function step(r: Rollout, load: Load, pods: { pod: AppPod; state: PodState }[]): Promise<void> {
  await publish(r.api, r.gateway, r.port, pods);
  await load.progress(perStep);
}

/** One surge step of a RollingUpdate (maxSurge 1, maxUnavailable 0) for a well-behaved app. */
async function replaceGracefully(r: Rollout, load: Load, old: AppPod): Promise<number> {
  const fresh = await startAppPod(r.nextIp(), r.port);
  const others = r.pods.filter((p) => p !== old);
  await step(r, load, states([...others, fresh, old])); // the new pod became ready
  await step(r, load, states([...others, fresh], [old])); // the old one is terminating
  await step(r, load, states([...others, fresh])); // and gone from the slice
  const hitsWhenRemoved = old.hits;
  await old.shutdown(); // only after it has left the EndpointSlice
  await load.progress(perStep);
  r.pods = [...others, fresh];
  return hitsWhenRemoved;
}

/** A few more requests after the last change, so every current pod is seen to take traffic. */
async function sample(r: Rollout): Promise<void> {
  for (let i = 0; i < 2 * r.pods.length; i++) await send(r.http, '/', { host: 'app.test' });
}

describe('rolling updates under load', () => {
  it('replaces every pod one by one with zero failed requests', async () => {
    const r = await deployment(2, 20);
    const old = [...r.pods];
    const load = startLoad(r.http, { concurrency: 8, method: 'GET' });
    const hitsWhenRemoved: number[] = [];
    for (const pod of old) hitsWhenRemoved.push(await replaceGracefully(r, load, pod));
    const result = await load.stop();
    await sample(r);
    console.log(`rolling update: ${result.sent} requests, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect(r.pods.every((p) => p.hits > 0)).toBe(true);
    expect(old.map((p) => p.hits)).toEqual(hitsWhenRemoved); // nothing reached a pod after it left the slice
  });

  it('scales 4 → 2 → 4 replicas with zero failed requests', async () => {
    const r = await deployment(4, 30);
    const load = startLoad(r.http, { concurrency: 8, method: 'GET' });
    const [a, b, c, d] = r.pods as [AppPod, AppPod, AppPod, AppPod];
    await load.progress(perStep);
    await step(r, load, states([a, b], [c, d]));
    await step(r, load, states([a, b]));
    await Promise.all([c.shutdown(), d.shutdown()]);
    await load.progress(perStep);
    const e = await startAppPod(r.nextIp(), r.port);
    const f = await startAppPod(r.nextIp(), r.port);
    r.pods.push(e, f);
    await step(r, load, states([a, b, e, f]));
    const result = await load.stop();
    await sample(r);
    console.log(`scale 4→2→4: ${result.sent} requests, ${result.failures.length} failed`);
    expect(result.failures).toEqual([]);
    expect(e.hits > 0 && f.hits > 0).toBe(true);
  });

  it('an app without a preStop delay (closes before the EndpointSlice update): zero failed GETs; POST failures counted', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const r = await deployment(2, method === 'GET' ? 40 : 50);
      const load = startLoad(r.http, { concurrency: 8, method });
      for (const old of [...r.pods]) {
        const fresh = await startAppPod(r.nextIp(), r.port);
        const others = r.pods.filter((p) => p !== old);
        await step(r, load, states([...others, fresh, old]));
        // SIGTERM with no preStop: the listener and idle connections close at once, before the endpoint
        // controller has even marked the pod terminating; traffic keeps arriving meanwhile.
        await old.shutdown();
        await load.progress(perStep);
        await step(r, load, states([...others, fresh], [old]));
        await step(r, load, states([...others, fresh]));
        r.pods = [...others, fresh];
      }
      const result = await load.stop();
      console.log(`no-preStop rollout, ${method}: ${result.sent} requests, ${result.failures.length} failed${result.failures.length ? ` (${[...new Set(result.failures)].join('; ')})` : ''}`);
        if (method === 'GET') expect(result.failures).toEqual([]);
    }
  });
});
