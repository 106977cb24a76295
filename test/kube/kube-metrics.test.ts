// Informer health on GET /metrics in Kubernetes mode, through the real CLI against the fake API server: per kind
// synced/listed, watches opened, informer restarts, last list and last watch-event times — read from the
// informers themselves (src/watch/kube), so each can be checked against what the API server was made to do.
import { afterEach, describe, expect, it } from 'vitest';
import { startEchoPod } from '../../scripts/echo-pod.ts';
import { endpointSlices, ingress, service } from '../support/manifests.ts';
import { sample } from '../support/metrics-text.ts';
import { applyAll, kubeGeneration, startApiServer, startKubeGateway, waitForKubeUpdate } from './support.ts';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const kinds = ['Ingress', 'IngressClass', 'Service', 'EndpointSlice', 'Secret'];

async function scrape(status: string): Promise<string> {
  const res = await fetch(`${status}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** Scrapes until `done` holds for the text (the informers react to the API server asynchronously). */
async function scrapeUntil(status: string, done: (text: string) => boolean): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const text = await scrape(status);
    if (done(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('metrics never reached the expected state');
}

describe('informer health metrics (kube mode)', () => {
  it('per kind: synced, listed, watches, restarts, last list and watch-event times follow the API server', async () => {
    const pod = await startEchoPod('web', '127.0.0.2');
    const { api, kubeconfig } = await startApiServer();
    cleanup.push(() => pod.close(), () => api.stop());
    applyAll(api, [
      service('web'),
      ingress('web', [{ host: 'web.test', paths: [{ path: '/', service: 'web' }] }]),
      ...endpointSlices('web', [{ address: pod.address, port: pod.port }]),
    ]);
    const started = Date.now() / 1000;
    const { gateway, status } = await startKubeGateway(kubeconfig);
    cleanup.push(() => gateway.stop());
    const of = (text: string, name: string, kind: string): number | undefined => sample(text, `sluice_kube_informer_${name}`, { kind });

    let text = await scrape(status);
    for (const kind of kinds) {
      expect([of(text, 'synced', kind), of(text, 'listed', kind), of(text, 'restarts_total', kind), of(text, 'watches_total', kind)]).toEqual([1, 1, 0, 1]);
      expect(of(text, 'last_list_timestamp_seconds', kind)).toBeGreaterThanOrEqual(started);
      expect(of(text, 'last_list_timestamp_seconds', kind)).toBeLessThanOrEqual(Date.now() / 1000);
    }

    // A watch event (a new Ingress) moves the Ingress informer's last-event time, nobody else's list time.
    const beforeEvent = Date.now() / 1000;
    const listedAt = of(text, 'last_list_timestamp_seconds', 'Ingress')!;
    api.apply(ingress('later', [{ host: 'later.test', paths: [{ path: '/', service: 'web' }] }]));
    await waitForKubeUpdate(gateway, kubeGeneration(gateway));
    text = await scrape(status);
    expect(of(text, 'last_watch_event_timestamp_seconds', 'Ingress')).toBeGreaterThanOrEqual(beforeEvent);
    expect(of(text, 'last_list_timestamp_seconds', 'Ingress')).toBe(listedAt);

    // The server ends every watch (its timeout): each informer resumes with a new watch, no restart, no relist.
    api.endWatches();
    text = await scrapeUntil(status, (t) => kinds.every((kind) => of(t, 'watches_total', kind) === 2));
    for (const kind of kinds) expect([of(text, 'restarts_total', kind), of(text, 'synced', kind)]).toEqual([0, 1]);
    expect(of(text, 'last_list_timestamp_seconds', 'Ingress')).toBe(listedAt);

    // The API server goes away: the informers fail (synced 0, still listed) until it is back, then restart.
    await api.stop();
    await gateway.waitForLog((l) => l.msg.includes('list/watch failed') && l['kind'] === 'Ingress');
    text = await scrape(status);
    expect([of(text, 'synced', 'Ingress'), of(text, 'listed', 'Ingress')]).toEqual([0, 1]);
    await api.restart();
    await gateway.waitForLog((l) => l.msg === 'kube: Ingress in sync again', 20_000);
    text = await scrape(status);
    expect(of(text, 'synced', 'Ingress')).toBe(1);
    expect(of(text, 'restarts_total', 'Ingress')).toBeGreaterThanOrEqual(1);
    expect(of(text, 'watches_total', 'Ingress')).toBeGreaterThanOrEqual(3);
    expect(of(text, 'last_list_timestamp_seconds', 'Ingress')).toBeGreaterThan(listedAt);
  });
});
