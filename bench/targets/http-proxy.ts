// Starts the minimal `http-proxy` baseline (http-proxy-server.ts) pinned to the proxy CPU. --no-deprecation:
// http-proxy 1.18 calls util._extend, and the warning says nothing about the measurement.
import { createRequire } from 'node:module';
import { httpProxyPort } from '../lib/net.ts';
import type { ProxyTarget } from './nginx-proxy.ts';
import { startNodeBaseline } from './node-baseline.ts';
import type { Pods } from './pods.ts';

export function httpProxyVersion(): string {
  return (createRequire(import.meta.url)('http-proxy/package.json') as { version: string }).version;
}

export function startHttpProxy(pods: Pods): Promise<ProxyTarget> {
  return startNodeBaseline({ name: 'http-proxy baseline', script: 'http-proxy-server.ts', port: httpProxyPort, nodeFlags: ['--no-deprecation'] }, pods);
}
