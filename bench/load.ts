// One load run against a URL with the Host header set, by autocannon (the design card's tool) or wrk (needed to
// measure nginx: autocannon saturates its own core near 66k req/s on these machines, issue 8).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const autocannonBin = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));

export interface LoadResult {
  reqPerSec: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export async function runLoad(
  tool: 'autocannon' | 'wrk',
  url: string,
  host: string,
  connections: number,
  durationS: number,
  cpu: number | undefined,
  /** Extra request headers as `Name: value` (e.g. `Connection: close` for one request per connection). */
  extraHeaders: readonly string[] = [],
): Promise<LoadResult> {
  const pin = (args: string[]): [string, string[]] => (cpu === undefined ? [args[0]!, args.slice(1)] : ['taskset', ['-c', String(cpu), ...args]]);
  if (tool === 'wrk') {
    const headers = extraHeaders.flatMap((h) => ['-H', h]);
    const [cmd, args] = pin(['wrk', '-t1', `-c${connections}`, `-d${durationS}s`, '--latency', '-H', `Host: ${host}`, ...headers, url]);
    return parseWrk((await run(cmd, args, { maxBuffer: 1 << 20 })).stdout);
  }
  const headers = extraHeaders.flatMap((h) => ['-H', h.replace(/:\s*/, '=')]);
  const [cmd, args] = pin([process.execPath, autocannonBin, '-j', '-c', String(connections), '-d', String(durationS), '-H', `host=${host}`, ...headers, url]);
  const report = JSON.parse((await run(cmd, args, { maxBuffer: 16 << 20 })).stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    reqPerSec: report.requests.average,
    requests: report.requests.total,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
    errors: report.errors + report.non2xx,
  };
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!match) return Number.NaN;
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 's' ? n * 1000 : n;
}

function parseWrk(out: string): LoadResult {
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  const errorMatch = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = errorMatch ? errorMatch.slice(1).reduce((n, v) => n + Number(v), 0) : 0;
  return {
    reqPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    requests,
    p50Ms: toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99Ms: toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    errors: socketErrors + non2xx,
  };
}
