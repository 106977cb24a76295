// wrk (Debian's package, C, one thread) as the load generator for every ratio against nginx: autocannon
// saturates its own core near 66k req/s on these machines (issue 8), below what nginx and direct reach.
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cpus, pinnedCommand } from '../lib/proc.ts';
import { shellLine, type LoadResult } from './types.ts';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));

export function wrkVersion(): string {
  const out = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return /wrk (\S+)/.exec(out.stdout + out.stderr)?.[1] ?? 'not installed';
}

export interface WrkRun {
  readonly url: string;
  readonly host: string;
  readonly connections: number;
  readonly durationS: number;
  /** Extra request headers as `Name: value` (e.g. `Connection: close`: one request per connection). */
  readonly headers?: readonly string[];
  /** POST a body of this many bytes with every request. */
  readonly uploadBytes?: number;
  /** Each connection waits this long after a response before its next request (wrk's delay(), whole ms). */
  readonly pauseMs?: number;
}

export async function runWrk(spec: WrkRun): Promise<LoadResult> {
  const headers = [`Host: ${spec.host}`, ...(spec.headers ?? [])].flatMap((h) => ['-H', h]);
  const argv = ['wrk', '-t1', `-c${spec.connections}`, `-d${spec.durationS}s`, '--timeout', '10s', '-s', script, ...headers, spec.url];
  const [cmd, args] = pinnedCommand(cpus.rest, argv[0]!, argv.slice(1));
  const scriptEnv = {
    ...(spec.uploadBytes === undefined ? {} : { WRK_BODY_BYTES: String(spec.uploadBytes) }),
    ...(spec.pauseMs === undefined ? {} : { WRK_DELAY_MS: String(spec.pauseMs) }),
  };
  const { stdout } = await run(cmd, args, { maxBuffer: 1 << 20, env: { ...process.env, ...scriptEnv } });
  const shown = shellLine([cmd, ...args]).replace(script, 'bench/load/wrk-report.lua');
  const envShown = Object.entries(scriptEnv).map(([name, value]) => `${name}=${value} `).join('');
  return { ...parseWrk(stdout), command: envShown + shown };
}

function parseWrk(out: string): Omit<LoadResult, 'command'> {
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const percentiles = JSON.parse(/BENCH_JSON (\{.*\})/.exec(out)?.[1] ?? '{}') as { p50?: number; p99?: number; p999?: number };
  const ms = (us: number | undefined): number => (us === undefined ? Number.NaN : us / 1000);
  return {
    reqPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    requests,
    p50Ms: ms(percentiles.p50),
    p99Ms: ms(percentiles.p99),
    p999Ms: ms(percentiles.p999),
    errors: (socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0) + non2xx,
  };
}
