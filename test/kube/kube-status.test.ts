// The status writer, end to end: two real CLI processes against one fake API server elect a leader through a
// Lease; only the leader writes Ingress status and Events; a class change clears status; shutting down leaves
// status alone and releases the Lease to the other replica.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeApiServer } from '../fake-apiserver/server.ts';
import type { GatewayProcess } from '../support/gateway-process.ts';
import { endpointSlices, ingress, service } from '../support/manifests.ts';
import { applyAll, startApiServer, startKubeGateway } from './support.ts';

let api: FakeApiServer;
let a: GatewayProcess;
let b: GatewayProcess;
let userOf: Map<GatewayProcess, string>;
const published = [{ ip: '203.0.113.7' }, { hostname: 'lb.example.com' }];

function statusOf(name: string): unknown {
  return (api.get('Ingress', 'default', name)?.['status'] as { loadBalancer?: { ingress?: unknown } } | undefined)?.loadBalancer?.ingress;
}

function leaderOf(): GatewayProcess {
  const leaders = [a, b].filter((g) => g.lines.filter((l) => l.msg.startsWith('leader election:')).at(-1)?.msg === 'leader election: became leader');
  expect(leaders).toHaveLength(1);
  return leaders[0]!;
}

/** Users that read or wrote Ingress status (the follower must do neither). */
function statusWriters(): Set<string> {
  return new Set(api.requests.filter((r) => r.path.endsWith('/status')).map((r) => r.user));
}

/** The next matching log line written after now (waitForLog alone would also match an earlier one). */
function nextLog(gateway: GatewayProcess, match: (l: GatewayProcess['lines'][number]) => boolean) {
  const from = gateway.lines.length;
  return gateway.waitForLog((l) => gateway.lines.indexOf(l) >= from && match(l));
}

beforeAll(async () => {
  let dir: string;
  ({ api, dir } = await startApiServer());
  applyAll(api, [
    service('web'),
    ingress('web', [{ host: 'web.test', paths: [{ path: '/', service: 'web' }] }]),
    ingress('theirs', [{ host: 'theirs.test', paths: [{ path: '/', service: 'web' }] }], { ingressClassName: 'nginx' }),
    ...endpointSlices('web', [{ address: '127.0.0.2', port: 1 }]),
  ]);
  const args = ['--publish-status-address', '203.0.113.7,lb.example.com', '--election-id', 'sluice-test'];
  const [configA, configB] = [await api.writeKubeconfig(dir, 'token-a', 'replica-a'), await api.writeKubeconfig(dir, 'token-b', 'replica-b')];
  [{ gateway: a }, { gateway: b }] = await Promise.all([startKubeGateway(configA, args), startKubeGateway(configB, args)]);
  userOf = new Map([[a, 'replica-a'], [b, 'replica-b']]);
  await Promise.race([a, b].map((g) => g.waitForLog((l) => l.msg === 'status: Ingress addresses updated')));
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await api?.stop();
});

describe('Ingress status and leader election', () => {
  it('the leader (only) writes the published addresses on the Ingresses Sluice serves', () => {
    const leader = leaderOf();
    expect(statusOf('web')).toEqual(published);
    expect(statusOf('theirs')).toBeUndefined();
    expect(statusWriters()).toEqual(new Set([userOf.get(leader)]));
    const lease = api.get('Lease', 'default', 'sluice-test')!['spec'] as Record<string, unknown>;
    expect(String(lease['holderIdentity'])).not.toBe('');
    expect(lease['leaseDurationSeconds']).toBe(15);
    expect(String(lease['renewTime'])).toMatch(/\.\d{6}Z$/);
  });

  it('publishes a Warning Event for a bad Ingress, once', async () => {
    const leader = leaderOf();
    api.apply(ingress('broken', [{ host: 'broken.test', paths: [{ path: '/', service: 'missing' }] }]));
    await leader.waitForLog((l) => l.msg === 'status: Ingress addresses updated' && l['ingress'] === 'default/broken');
    // Another change: a full sync round runs again with the broken Ingress's diagnostic still present.
    // Statuses, then Events, then 'sync done': the round that wrote this status has also re-published Events.
    api.apply(ingress('another', [{ host: 'another.test', paths: [{ path: '/', service: 'web' }] }]));
    const updated = await leader.waitForLog((l) => l.msg === 'status: Ingress addresses updated' && l['ingress'] === 'default/another');
    await leader.waitForLog((l) => l.msg === 'status: sync done' && leader.lines.indexOf(l) > leader.lines.indexOf(updated));
    const events = api.list('Event').filter((e) => (e['involvedObject'] as { name: string }).name === 'broken');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'Warning',
      reason: 'ServiceNotFound',
      involvedObject: { kind: 'Ingress', namespace: 'default', name: 'broken', apiVersion: 'networking.k8s.io/v1' },
    });
    expect(String(events[0]!['message'])).toContain('spec.rules[0].http.paths[0].backend');
    expect(api.requests.filter((r) => r.verb === 'create' && r.path.endsWith('/events')).every((r) => r.user === userOf.get(leader))).toBe(true);
  });

  it('clears the status of an Ingress that moves to another class', async () => {
    const leader = leaderOf();
    api.apply(ingress('web', [{ host: 'web.test', paths: [{ path: '/', service: 'web' }] }], { ingressClassName: 'nginx' }));
    await leader.waitForLog((l) => l.msg === 'status: Ingress addresses cleared (no longer served)' && l['ingress'] === 'default/web');
    expect(statusOf('web')).toEqual([]);
    const restored = nextLog(leader, (l) => l.msg === 'status: Ingress addresses updated' && l['ingress'] === 'default/web');
    api.apply(ingress('web', [{ host: 'web.test', paths: [{ path: '/', service: 'web' }] }]));
    await restored;
    expect(statusOf('web')).toEqual(published);
  });

  it('a leader that shuts down leaves status alone and hands the Lease over', async () => {
    const leader = leaderOf();
    const follower = leader === a ? b : a;
    expect(await leader.stop()).toBe(0);
    expect(statusOf('web')).toEqual(published); // not blanked by the shutdown
    await follower.waitForLog((l) => l.msg === 'leader election: became leader', 10_000);
    api.apply(ingress('late', [{ host: 'late.test', paths: [{ path: '/', service: 'web' }] }]));
    await follower.waitForLog((l) => l.msg === 'status: Ingress addresses updated' && l['ingress'] === 'default/late');
    expect(statusOf('late')).toEqual(published);
    const lease = api.get('Lease', 'default', 'sluice-test')!['spec'] as Record<string, unknown>;
    expect(lease['leaseTransitions']).toBe(1);
  });
});
