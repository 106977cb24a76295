// Starts a Node baseline proxy (a script of this directory taking `<port> <pod>…`) as a child process pinned to
// the proxy CPU, and resolves once it prints "listening".
import { fileURLToPath } from 'node:url';
import { cpus, onLines, spawnPinned, stopProcess } from '../lib/proc.ts';
import type { ProxyTarget } from './nginx-proxy.ts';
import type { Pods } from './pods.ts';

export interface NodeBaseline {
  /** For error messages: "http-proxy baseline". */
  readonly name: string;
  /** The server script's file name, in bench/targets/. */
  readonly script: string;
  readonly port: number;
  readonly nodeFlags?: readonly string[];
}

export async function startNodeBaseline(baseline: NodeBaseline, pods: Pods): Promise<ProxyTarget> {
  const script = fileURLToPath(new URL(`./${baseline.script}`, import.meta.url));
  const upstreams = pods.http.slice(0, 2).map((p) => `${p.address}:${p.port}`);
  const args = [...(baseline.nodeFlags ?? []), script, String(baseline.port), ...upstreams];
  const child = spawnPinned(cpus.proxy, process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      onLines(child.stdout!, (line) => line === 'listening' && resolve());
      child.once('exit', (code) => reject(new Error(`${baseline.name} exited with ${code}`)));
    });
  } catch (err: unknown) {
    await stopProcess(child);
    throw err;
  }
  const shown = [...(baseline.nodeFlags ?? []), `bench/targets/${baseline.script}`, String(baseline.port), ...upstreams].join(' ');
  return {
    url: `http://127.0.0.1:${baseline.port}`,
    pid: child.pid!,
    command: `taskset -c ${cpus.proxy} node ${shown}`,
    stop: () => stopProcess(child),
  };
}
