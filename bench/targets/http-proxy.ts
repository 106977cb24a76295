// Starts the minimal `http-proxy` baseline (http-proxy-server.ts) pinned to the proxy CPU. --no-deprecation:
// http-proxy 1.18 calls util._extend, and the warning says nothing about the measurement.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { httpProxyPort } from '../lib/net.ts';
import { cpus, onLines, spawnPinned, stopProcess } from '../lib/proc.ts';
import type { ProxyTarget } from './nginx-proxy.ts';
import type { Pods } from './pods.ts';

const script = fileURLToPath(new URL('./http-proxy-server.ts', import.meta.url));

export function httpProxyVersion(): string {
  return (createRequire(import.meta.url)('http-proxy/package.json') as { version: string }).version;
}

export async function startHttpProxy(pods: Pods): Promise<ProxyTarget> {
  const upstreams = pods.http.slice(0, 2).map((p) => `${p.address}:${p.port}`);
  const child = spawnPinned(cpus.proxy, process.execPath, ['--no-deprecation', script, String(httpProxyPort), ...upstreams], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      onLines(child.stdout!, (line) => line === 'listening' && resolve());
      child.once('exit', (code) => reject(new Error(`http-proxy baseline exited with ${code}`)));
    });
  } catch (err: unknown) {
    await stopProcess(child);
    throw err;
  }
  return {
    url: `http://127.0.0.1:${httpProxyPort}`,
    pid: child.pid!,
    command: `taskset -c ${cpus.proxy} node --no-deprecation bench/targets/http-proxy-server.ts ${httpProxyPort} ${upstreams.join(' ')}`,
    stop: () => stopProcess(child),
  };
}
