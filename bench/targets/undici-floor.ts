// Starts the undici floor baseline (undici-floor-server.ts: node:http + undici dispatch(), no features) pinned to
// the proxy CPU, with the node flag Sluice's image starts with, like the node floor it is compared with.
import { undiciFloorPort } from '../lib/net.ts';
import type { ProxyTarget } from './nginx-proxy.ts';
import { startNodeBaseline } from './node-baseline.ts';
import type { Pods } from './pods.ts';

export function startUndiciFloor(pods: Pods): Promise<ProxyTarget> {
  return startNodeBaseline({ name: 'undici floor baseline', script: 'undici-floor-server.ts', port: undiciFloorPort, nodeFlags: ['--no-memory-reducer'] }, pods);
}
