// `npm run bench`: throughput and latency of Sluice against baselines measured in the same run.
//
// Targets, each behind the same two upstream "pods" (nginx serving a fixed 13-byte body when nginx is installed,
// else Node servers — the report says which):
//   direct  — the load generator talks to one pod (the ceiling: no proxy at all);
//   sluice  — the real CLI process, one route, round robin over both pods;
//   nginx   — nginx as a 1-worker reverse proxy with upstream keep-alive (when installed), the bar issue 8 sets.
// Runs are interleaved (direct, sluice, nginx, direct, …) and medians reported, so drift on a shared machine
// hits every target alike. With `taskset` available the proxy under test is pinned to CPU 1 and everything else
// to CPU 0, as in issue 8's method. Gateway CPU per request comes from /proc/<pid>/stat (utime+stime).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startUpstreams, startNginxProxy, type Upstreams } from './upstreams.ts';
import { runLoad, type LoadResult } from './load.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    tool: { type: 'string', default: 'autocannon' },
    // plain: direct, sluice, nginx over keep-alive HTTP. tls: sluice over HTTP and HTTPS, keep-alive and one
    // request per connection (new TLS handshakes/s), in the same run (issue 6). tls needs wrk (autocannon
    // cannot force a new connection per request).
    scenario: { type: 'string', default: 'plain' },
    // Extra flags for the sluice CLI, e.g. --sluice-arg=--no-metrics --sluice-arg=--access-log=/tmp/a.log
    'sluice-arg': { type: 'string', multiple: true, default: [] },
  },
});
const durationS = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const scenario = values.scenario === 'tls' ? 'tls' : 'plain';
const tool = values.tool === 'wrk' || scenario === 'tls' ? 'wrk' : 'autocannon';
const pinned = spawnSync('taskset', ['--version']).status === 0;
const host = 'bench.test';

function pin(cpu: number, command: string, args: string[]): [string, string[]] {
  return pinned ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

async function startSluice(upstreams: Upstreams): Promise<{ child: ChildProcess; url: string; secureUrl: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  const slices = upstreams.pods.map((pod, i) => `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-${i}, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: "", port: ${pod.port}, protocol: TCP}]
endpoints: [{addresses: ["${pod.address}"], conditions: {ready: true}}]
`).join('');
  await writeFile(join(dir, 'bench.yaml'), `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  ingressClassName: sluice
  rules: [{host: ${host}, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
${slices}`);
  const [command, args] = pin(1, process.execPath, [
    join(root, 'src/cli.ts'), '--manifests', dir, '--bind-address', '127.0.0.1',
    '--http-port', '18080', '--https-port', '18443', '--status-port', '18081', '--log-level', 'warn',
    ...values['sluice-arg'],
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    const ready = await fetch('http://127.0.0.1:18081/readyz').then((r) => r.ok, () => false);
    if (ready) return { child, url: 'http://127.0.0.1:18080/', secureUrl: 'https://127.0.0.1:18443/' };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('sluice did not become ready');
}

/** utime + stime of a process in microseconds (clock ticks are 100 Hz on Linux). */
async function cpuMicros(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

interface Measured extends LoadResult {
  cpuUsPerRequest?: number;
  rssMiB?: number;
}

async function measure(url: string, pid?: number, headers: readonly string[] = []): Promise<Measured> {
  const before = pid === undefined ? 0 : await cpuMicros(pid);
  const result = await runLoad(tool, url, host, connections, durationS, pinned ? 0 : undefined, headers);
  if (pid === undefined) return result;
  const cpu = (await cpuMicros(pid)) - before;
  return { ...result, cpuUsPerRequest: cpu / result.requests, rssMiB: await rssMiB(pid) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const upstreams = await startUpstreams();
const sluice = await startSluice(upstreams);
const nginx = scenario === 'plain' ? await startNginxProxy(upstreams, pinned) : undefined;
const close = ['Connection: close'];
const targets: Array<{ name: string; url: string; pid?: number; headers?: readonly string[] }> =
  scenario === 'plain'
    ? [
        { name: 'direct', url: `http://${upstreams.pods[0]!.address}:${upstreams.pods[0]!.port}/` },
        { name: 'sluice', url: sluice.url, pid: sluice.child.pid! },
        ...(nginx ? [{ name: 'nginx', url: nginx.url, pid: nginx.workerPid }] : []),
      ]
    : [
        // The first row is the baseline of the ratio column: plain HTTP keep-alive through Sluice.
        { name: 'sluice-http', url: sluice.url, pid: sluice.child.pid! },
        { name: 'sluice-https', url: sluice.secureUrl, pid: sluice.child.pid! },
        { name: 'sluice-http-new-conn', url: sluice.url, pid: sluice.child.pid!, headers: close },
        { name: 'sluice-https-new-conn', url: sluice.secureUrl, pid: sluice.child.pid!, headers: close },
      ];
const results = new Map<string, Measured[]>(targets.map((t) => [t.name, []]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) results.get(target.name)!.push(await measure(target.url, target.pid, target.headers));
  }
} finally {
  sluice.child.kill('SIGTERM');
  nginx?.stop();
  await upstreams.stop();
}

const summary = targets.map((t) => {
  const runs = results.get(t.name)!;
  const pick = (f: (m: Measured) => number | undefined): number | undefined =>
    runs.every((r) => f(r) !== undefined) ? median(runs.map((r) => f(r)!)) : undefined;
  return {
    target: t.name,
    reqPerSec: pick((r) => r.reqPerSec)!,
    p50Ms: pick((r) => r.p50Ms)!,
    p99Ms: pick((r) => r.p99Ms)!,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    cpuUsPerRequest: pick((r) => r.cpuUsPerRequest),
    rssMiB: pick((r) => r.rssMiB),
  };
});
const byName = new Map(summary.map((s) => [s.target, s]));
const baseline = summary[0]!;
const fmt = (n: number | undefined, digits = 1): string => (n === undefined ? '—' : n.toFixed(digits));
const lines = [
  `Sluice benchmark (${scenario}) — ${new Date().toISOString()} — ${tool}, ${connections} connections, ${durationS} s × ${rounds} interleaved rounds (medians); upstream pods: ${upstreams.kind}; pinned: ${pinned}; sluice flags: ${values['sluice-arg'].join(' ') || '(defaults)'}`,
  '',
  `| target | req/s | × ${baseline.target} | × nginx | p50 ms | p99 ms | errors | proxy CPU µs/req | proxy RSS MiB |`,
  '|---|---|---|---|---|---|---|---|---|',
  ...summary.map((s) => `| ${s.target} | ${fmt(s.reqPerSec, 0)} | ${fmt(s.reqPerSec / baseline.reqPerSec, 2)} | ${byName.has('nginx') ? fmt(s.reqPerSec / byName.get('nginx')!.reqPerSec, 2) : '—'} | ${fmt(s.p50Ms, 2)} | ${fmt(s.p99Ms, 2)} | ${s.errors} | ${fmt(s.cpuUsPerRequest)} | ${fmt(s.rssMiB)} |`),
];
console.log(lines.join('\n'));
await mkdir(join(root, 'bench/results'), { recursive: true });
await writeFile(join(root, `bench/results/latest-${scenario}-${tool}.md`), lines.join('\n') + '\n');
