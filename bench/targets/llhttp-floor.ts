// Starts the llhttp floor baseline (llhttp-floor-server.ts: no node:http server, node's llhttp on raw sockets +
// Sluice's upstream pools, no features) pinned to the proxy CPU, with the node flag Sluice's image starts with, like
// the node floor it is compared with.
import { llhttpFloorPort } from '../lib/net.ts';
import type { ProxyTarget } from './nginx-proxy.ts';
import { startNodeBaseline } from './node-baseline.ts';
import type { Pods } from './pods.ts';

export function startLlhttpFloor(pods: Pods): Promise<ProxyTarget> {
  return startNodeBaseline({ name: 'llhttp floor baseline', script: 'llhttp-floor-server.ts', port: llhttpFloorPort, nodeFlags: ['--no-memory-reducer'] }, pods);
}
