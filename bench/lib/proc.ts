// Child processes of the benchmark: CPU pinning, start-and-wait, stop-and-await. Every process the suite starts
// is stopped by the scenario that started it (even when the scenario fails), by its own pid.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** `taskset` is there (util-linux): processes are pinned to the CPUs the layout below gives them. */
export const canPin = spawnSync('taskset', ['--version']).status === 0;

/**
 * The CPU layout of issue 8's method on a 2-core machine: the proxy under test alone on CPU 1, everything else
 * (upstream pods, load generator, the bench's own process) on CPU 0. On a machine with more cores the same two
 * CPUs are used, so figures stay comparable across machines.
 */
export const cpus = { proxy: '1', rest: '0', all: '0,1' } as const;

/** The command line that runs `command` on `cpuList` (when taskset exists; taskset execs, so the pid is the command's). */
export function pinnedCommand(cpuList: string | undefined, command: string, args: readonly string[]): [string, string[]] {
  return canPin && cpuList !== undefined ? ['taskset', ['-c', cpuList, command, ...args]] : [command, [...args]];
}

export function spawnPinned(cpuList: string | undefined, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const [cmd, argv] = pinnedCommand(cpuList, command, args);
  return spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
}

/** Pins an already running process (the bench's own, so it does not run on the proxy's CPU). */
export function pinPid(pid: number, cpuList: string): void {
  if (canPin) spawnSync('taskset', ['-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` every `intervalMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Resolves with the exit code (or signal name) once the child has exited. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`; resolves once it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** Cleanups run in reverse order of registration, all of them even when one throws. */
export class Cleanup {
  #steps: Array<() => Promise<void> | void> = [];

  add(step: () => Promise<void> | void): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.#steps.reverse()) {
      try {
        await step();
      } catch (err: unknown) {
        console.error('bench: cleanup step failed:', err);
      }
    }
    this.#steps = [];
  }
}

/** Calls `onLine` with each complete line of a child's output stream. */
export function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  });
}
