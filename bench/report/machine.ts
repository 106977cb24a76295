// The machine and the versions a result was measured with, for the head of RESULTS.md.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus as osCpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { canPin } from '../lib/proc.ts';
import { autocannonVersion } from '../load/autocannon.ts';
import { wrkVersion } from '../load/wrk.ts';
import { wsVersion } from '../load/ws-loop.ts';
import { caddyVersion } from '../targets/caddy.ts';
import { httpProxyVersion } from '../targets/http-proxy.ts';
import { nginxVersion } from '../targets/nginx.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Environment {
  readonly cpuModel: string;
  readonly cores: number;
  readonly kernel: string;
  readonly memoryGiB: number;
  readonly pinning: string;
  /** 1-minute load average before the suite started anything: near 0 on a quiet machine. */
  readonly loadBefore: number;
  readonly versions: ReadonlyArray<readonly [string, string]>;
}

function cpuModel(): string {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  return /model name\s*:\s*(.+)/.exec(info)?.[1]?.trim() ?? osCpus()[0]?.model ?? 'unknown';
}

function git(...args: string[]): string {
  return spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout.trim();
}

function sluiceCommit(): string {
  const commit = git('rev-parse', '--short=12', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--', 'src', 'package.json') !== '';
  return dirty ? `${commit} + uncommitted changes in src/ or package.json` : commit;
}

export function describeEnvironment(loadBefore: number): Environment {
  return {
    loadBefore,
    cpuModel: cpuModel(),
    cores: osCpus().length,
    kernel: `Linux ${release()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    pinning: canPin
      ? 'taskset: the proxy under test alone on CPU 1; upstream pods, load generator and the bench process on CPU 0 (issue 8\'s method); exceptions are stated per scenario'
      : 'taskset not found: nothing pinned',
    versions: [
      ['Sluice commit', sluiceCommit()],
      ['node', process.version],
      ['nginx', nginxVersion()],
      ['caddy', caddyVersion()],
      ['wrk', wrkVersion()],
      ['autocannon', autocannonVersion()],
      ['http-proxy', httpProxyVersion()],
      ['ws', wsVersion()],
    ],
  };
}
