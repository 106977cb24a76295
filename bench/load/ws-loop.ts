// Runs the WebSocket load loop (ws-loop-child.ts) pinned to the load CPU; reports round trips as requests.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cpus, pinnedCommand } from '../lib/proc.ts';
import type { LoadResult } from './types.ts';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./ws-loop-child.ts', import.meta.url));

export function wsVersion(): string {
  return (createRequire(import.meta.url)('ws/package.json') as { version: string }).version;
}

export interface WsRun {
  readonly url: string;
  readonly host: string;
  readonly connections: number;
  readonly durationS: number;
  readonly messageBytes: number;
}

export async function runWsLoop(spec: WsRun): Promise<LoadResult> {
  const [cmd, args] = pinnedCommand(cpus.rest, process.execPath, [child, JSON.stringify(spec)]);
  const { stdout } = await run(cmd, args, { maxBuffer: 1 << 20, timeout: (spec.durationS + 30) * 1000 });
  const r = JSON.parse(stdout) as { messages: number; elapsedS: number; p50Us: number; p99Us: number; p999Us: number; errors: number };
  return {
    reqPerSec: r.messages / r.elapsedS,
    requests: r.messages,
    p50Ms: r.p50Us / 1000,
    p99Ms: r.p99Us / 1000,
    p999Ms: r.p999Us / 1000,
    errors: r.errors,
    command: `taskset -c ${cpus.rest} node bench/load/ws-loop-child.ts '${JSON.stringify(spec)}'`,
  };
}
