// The real `sluice` CLI as the proxy under test: manifest-file source (or, for the Kubernetes scenario, the
// production source against a kubeconfig), its own ports, JSON logs read line by line (their `time` is the wall
// clock in ms, comparable with the bench's Date.now()), so scenarios can wait for and time the source's update
// ('manifest: update', 'kube: update') and 'routing table installed'.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sluicePorts } from '../lib/net.ts';
import { cpus, onLines, pinnedCommand, spawnPinned, stopProcess, waitFor } from '../lib/proc.ts';
import { deployedEnv, deployedNodeFlags } from './deployed.ts';
import { shellLine } from '../load/types.ts';

// The command as installed (bin/sluice.mjs: compile cache on, as in the image).
const cli = fileURLToPath(new URL('../../bin/sluice.mjs', import.meta.url));

export interface LogEvent {
  readonly time: number;
  readonly level: number;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/** Every log line of one process, with waiters for lines still to come. */
export class LogBook {
  readonly events: LogEvent[] = [];
  /** Warnings and errors are echoed once per distinct message (a diagnostic is logged again on each start). */
  static readonly #echoed = new Set<string>();
  #waiters: Array<{ msg: string; after: number; resolve: (e: LogEvent) => void }> = [];

  add(line: string): void {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (line.trim()) process.stderr.write(`sluice: ${line}\n`);
      return;
    }
    const event = { time: Number(parsed.time), level: Number(parsed.level), msg: String(parsed.msg), fields: parsed };
    this.events.push(event);
    if (event.level >= 40 && !LogBook.#echoed.has(event.msg)) {
      LogBook.#echoed.add(event.msg);
      process.stderr.write(`sluice ${event.level >= 50 ? 'error' : 'warn'}: ${line}\n`);
    }
    this.#waiters = this.#waiters.filter((w) => {
      if (w.msg !== event.msg || event.time < w.after) return true;
      w.resolve(event);
      return false;
    });
  }

  /** The first event `msg` logged at or after `after` (epoch ms), already logged or still to come. */
  next(msg: string, after = 0): Promise<LogEvent> {
    const found = this.events.find((e) => e.msg === msg && e.time >= after);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ msg, after, resolve }));
  }

  count(msg: string, from = 0, to = Number.POSITIVE_INFINITY): number {
    return this.events.filter((e) => e.msg === msg && e.time >= from && e.time <= to).length;
  }
}

export interface Sluice {
  readonly url: string;
  readonly secureUrl: string;
  readonly pid: number;
  readonly logs: LogBook;
  /** Epoch ms of the spawn, and of the first 200 from /readyz. */
  readonly spawnedAt: number;
  readonly readyAt: number;
  /** The command line as run (pinning included), with the manifest directory or kubeconfig shown as <manifests>, <kubeconfig>. */
  readonly command: string;
  stop(): Promise<void>;
}

export interface SluiceLaunch {
  /** Ports: see sluicePorts(); several instances can run side by side. */
  readonly instance: number;
  /** The manifest-file source: `--manifests <dir>`. Exactly one of this and `kubeconfig`. */
  readonly manifests?: string;
  /** The Kubernetes source (production's): `--kubeconfig <file>`, objects listed and watched from that API server. */
  readonly kubeconfig?: string;
  /** Extra CLI flags (the scenario's, then the user's --sluice-arg ones). */
  readonly args?: readonly string[];
  /** CPU list; default: the proxy CPU. */
  readonly cpu?: string;
  readonly readyTimeoutMs?: number;
}

let workersFlag: boolean | undefined;

/**
 * Whether the CLI has `--workers` (read from its --help once). Where it does, every Sluice of the suite gets
 * `--workers 1` unless the scenario says otherwise: the default is one worker per available core, and the
 * figures are per worker.
 */
export function sluiceHasWorkersFlag(): boolean {
  workersFlag ??= spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' }).stdout.includes('--workers');
  return workersFlag;
}

/** `--manifests <dir>` or `--kubeconfig <file>`, and how the command line shown in RESULTS.md names it. */
function sourceOf({ manifests, kubeconfig }: SluiceLaunch): { args: string[]; path: string; shownAs: string } {
  if (manifests !== undefined && kubeconfig === undefined) return { args: ['--manifests', manifests], path: manifests, shownAs: '<manifests>' };
  if (kubeconfig !== undefined && manifests === undefined) return { args: ['--kubeconfig', kubeconfig], path: kubeconfig, shownAs: '<kubeconfig>' };
  throw new Error('sluice launch: give exactly one of manifests and kubeconfig');
}

/** Resolves with the running process, or with the CLI's usage error when it rejected a flag (exit status 2). */
export async function startSluice(launch: SluiceLaunch): Promise<Sluice | { rejected: string }> {
  const ports = sluicePorts(launch.instance);
  const source = sourceOf(launch);
  const args = [
    ...deployedNodeFlags, cli, ...source.args, '--bind-address', '127.0.0.1',
    '--http-port', String(ports.http), '--https-port', String(ports.https), '--status-port', String(ports.status),
    '--log-level', 'info', '--shutdown-delay', '0', '--shutdown-grace-period', '1',
    ...(sluiceHasWorkersFlag() && !(launch.args ?? []).some((a) => a.startsWith('--workers')) ? ['--workers', '1'] : []),
    ...(launch.args ?? []),
  ];
  const spawnedAt = Date.now();
  const child: ChildProcess = spawnPinned(launch.cpu ?? cpus.proxy, process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...deployedEnv } });
  const logs = new LogBook();
  onLines(child.stdout!, (line) => logs.add(line));
  // Collected until ready (a usage error is the whole of it), echoed from then on.
  let stderr = '';
  const collect = (chunk: Buffer): void => void (stderr += chunk.toString());
  child.stderr!.on('data', collect);
  const readyz = `http://127.0.0.1:${ports.status}/readyz`;
  try {
    await waitFor('sluice /readyz', async () => {
      if (child.exitCode !== null) throw Object.assign(new Error(`sluice exited with ${child.exitCode}: ${stderr.trim()}`), { exitCode: child.exitCode });
      return fetch(readyz).then((r) => (r.ok ? true : undefined), () => undefined);
    }, launch.readyTimeoutMs ?? 60_000);
  } catch (err: unknown) {
    await stopProcess(child);
    if ((err as { exitCode?: number }).exitCode === 2) return { rejected: stderr.trim() };
    throw err;
  }
  if (stderr.trim()) process.stderr.write(`sluice stderr: ${stderr}`);
  child.stderr!.off('data', collect);
  child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`sluice stderr: ${chunk.toString()}`));
  return {
    url: `http://127.0.0.1:${ports.http}`,
    secureUrl: `https://127.0.0.1:${ports.https}`,
    pid: child.pid!,
    logs,
    spawnedAt,
    readyAt: Date.now(),
    command: Object.entries(deployedEnv).map(([name, value]) => `${name}=${value} `).join('') + shellLine(pinnedCommand(launch.cpu ?? cpus.proxy, 'node', args).flat()).replace(cli, 'bin/sluice.mjs').replace(source.path, source.shownAs),
    stop: () => stopProcess(child, 10_000),
  };
}

export function isRejected(s: Sluice | { rejected: string }): s is { rejected: string } {
  return 'rejected' in s;
}

/** Starts Sluice or throws (for scenarios whose flags are all known to the CLI). */
export async function mustStartSluice(launch: SluiceLaunch): Promise<Sluice> {
  const s = await startSluice(launch);
  if (isRejected(s)) throw new Error(`sluice rejected its flags: ${s.rejected}`);
  return s;
}
