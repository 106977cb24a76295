// The 10k-Ingress table of issue 8: 10,000 Ingresses, 20,000 paths, 5,000 hosts, as objects (what the
// Kubernetes scenario stores in its fake API server) and as one generated manifest file made of the same objects.
// Host h<i>.table.test gets two Ingresses (created a second apart, as kubectl apply would), each with a Prefix
// and an Exact path, so every host has four paths; backends spread over 1,000 Services, each with an
// EndpointSlice holding both pods. No annotations: the figure is the cost of the table's size, not of features.
import type { Pods } from '../targets/pods.ts';
import { endpointSlice, ingress, manifest, service, type RawObject } from './objects.ts';

export const tableSize = { ingresses: 10_000, paths: 20_000, hosts: 5_000, services: 1_000 } as const;

const hostOf = (i: number): string => `h${i}.table.test`;
const letter = (j: number): string => (j % 2 === 0 ? 'a' : 'b');
const created = (j: number): string => new Date(Date.UTC(2026, 0, 1) + j * 1000).toISOString().replace('.000', '');

export function tableObjects(pods: Pods): RawObject[] {
  const objects: RawObject[] = [];
  for (let s = 0; s < tableSize.services; s++) objects.push(service(`svc-${s}`), endpointSlice(`svc-${s}`, pods.http.slice(0, 2)));
  for (let j = 0; j < tableSize.ingresses; j++) {
    const l = letter(j);
    const backend = `svc-${j % tableSize.services}`;
    objects.push(
      ingress(`ing-${j}`, hostOf(Math.floor(j / 2)), [{ path: `/${l}`, service: backend }, { path: `/${l}/exact`, pathType: 'Exact', service: backend }], {}, created(j)),
    );
  }
  return objects;
}

/** The table as one multi-document manifest (the manifest-file scenarios). */
export function table10k(pods: Pods): string {
  return manifest(tableObjects(pods));
}

/** Requests spread over the table: 64 hosts from all over it, Prefix and Exact paths, 64 different Services. */
export function tableRequests(count = 64): Array<{ host: string; path: string }> {
  return Array.from({ length: count }, (_, k) => {
    const host = hostOf((k * 7919) % tableSize.hosts);
    const l = letter(k);
    return { host, path: k % 4 === 3 ? `/${l}/exact` : `/${l}/items/${k}` };
  });
}

/**
 * Requests over the 10 hosts spread across the table whose first Ingress is backed by svc-0 (Ingress j uses
 * svc-(j mod 1000)): the same lookups in the big table, but one upstream pool set, as in the 1-route case.
 */
export function oneServiceRequests(): Array<{ host: string; path: string }> {
  const ingresses = Array.from({ length: tableSize.ingresses / tableSize.services }, (_, i) => i * tableSize.services);
  return ingresses.flatMap((j) => [
    { host: hostOf(j / 2), path: '/a/items/1' },
    { host: hostOf(j / 2), path: '/a/exact' },
  ]);
}

/** Hosts of the change-latency probes (objects of their own, next to the table: in files of their own in file mode). */
export const changeHosts = {
  ingress: (n: number): string => `change-${n}.table.test`,
  moving: 'moving.table.test',
} as const;

/** The Ingress that each change sample replaces: a new host, so "served" is unambiguous (404 before, 200 after). */
export function changeIngressObject(n: number): RawObject {
  return ingress('change', changeHosts.ingress(n), [{ path: '/', service: 'moving' }]);
}

export function changeIngress(n: number): string {
  return manifest([changeIngressObject(n)]);
}

/** The one-endpoint slice of Service `moving`: which pod it names (pods.http[n mod 2]) is what each sample changes. */
export function movingSlice(pods: Pods, n: number): RawObject {
  return endpointSlice('moving', [pods.http[n % 2]!]);
}

/** Service `moving`, its route, and its slice. */
export function movingObjects(pods: Pods, n: number): RawObject[] {
  return [service('moving'), ingress('moving', changeHosts.moving, [{ path: '/', service: 'moving' }]), movingSlice(pods, n)];
}

export function movingEndpoint(pods: Pods, n: number): string {
  return manifest(movingObjects(pods, n));
}
