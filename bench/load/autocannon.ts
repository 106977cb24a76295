// autocannon (the design card's load generator), used programmatically for the Sluice scenarios whose ratios
// are Sluice against Sluice. It tops out near 66k req/s on one core here, far above one Sluice worker.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cpus, pinnedCommand } from '../lib/proc.ts';
import type { LoadResult } from './types.ts';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./autocannon-child.ts', import.meta.url));

export function autocannonVersion(): string {
  return (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;
}

export interface AutocannonRun {
  readonly url: string;
  readonly host: string;
  readonly connections: number;
  readonly durationS: number;
  /** Requests cycled through on each connection (path and Host), instead of `url`'s path and `host`. */
  readonly requests?: ReadonlyArray<{ path: string; host: string }>;
  /** A new connection after this many requests (1: every request opens one; with https, a TLS handshake). */
  readonly reconnectRate?: number;
  readonly uploadBytes?: number;
}

interface AutocannonReport {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; p99_9?: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches?: number;
}

export async function runAutocannon(spec: AutocannonRun): Promise<LoadResult> {
  const options = {
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationS,
    headers: { host: spec.host },
    ...(spec.requests ? { requests: spec.requests.map((r) => ({ path: r.path, headers: { host: r.host } })) } : {}),
    ...(spec.reconnectRate ? { reconnectRate: spec.reconnectRate } : {}),
    ...(spec.uploadBytes ? { uploadBytes: spec.uploadBytes } : {}),
  };
  const [cmd, args] = pinnedCommand(cpus.rest, process.execPath, [child, JSON.stringify(options)]);
  const { stdout } = await run(cmd, args, { maxBuffer: 64 << 20 });
  const report = JSON.parse(stdout) as AutocannonReport;
  const shown = { ...options, ...(spec.requests && spec.requests.length > 3 ? { requests: `${spec.requests.length} requests cycled` } : {}) };
  return {
    reqPerSec: report.requests.average,
    requests: report.requests.total,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
    p999Ms: report.latency.p99_9,
    // autocannon's `errors` already includes its timeouts.
    errors: report.errors + report.non2xx + (report.mismatches ?? 0),
    command: `taskset -c ${cpus.rest} node bench/load/autocannon-child.ts '${JSON.stringify(shown)}'`,
  };
}
