// Starts the Node floor baseline (node-floor-server.ts: node:http + Sluice's upstream pools, no features) pinned to the
// proxy CPU, with the node flag Sluice's image starts with, so the two differ by Sluice's code only.
import { nodeFloorPort } from '../lib/net.ts';
import type { ProxyTarget } from './nginx-proxy.ts';
import { startNodeBaseline } from './node-baseline.ts';
import type { Pods } from './pods.ts';

export function startNodeFloor(pods: Pods): Promise<ProxyTarget> {
  return startNodeBaseline({ name: 'node floor baseline', script: 'node-floor-server.ts', port: nodeFloorPort, nodeFlags: ['--no-memory-reducer'] }, pods);
}
