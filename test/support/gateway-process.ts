// Runs the real `sluice` CLI as a child process and follows its JSON log on stdout, so end-to-end tests can
// wait for events (listening ports, table generations) instead of sleeping.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const cliPath = fileURLToPath(new URL('../../bin/sluice.mjs', import.meta.url));

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

interface Waiter {
  match: (line: LogLine) => boolean;
  resolve: (line: LogLine) => void;
}

export class GatewayProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  private readonly waiters = new Set<Waiter>();
  private readonly exited: Promise<number | null>;

  /** `env`: variables set for the gateway on top of this process's environment. */
  constructor(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    this.child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.child.stdout! }).on('line', (text) => this.onLine(text));
    // 'close', not 'exit': the process may exit with lines still in the pipe; 'close' comes after its output.
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  private onLine(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { level: 30, msg: text };
    }
    this.lines.push(line);
    for (const waiter of this.waiters) {
      if (waiter.match(line)) {
        this.waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  }

  /** The first log line (past or future) matching the predicate. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { match, resolve };
      this.waiters.add(waiter);
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for a log line; stderr: ${this.stderr}; log tail: ${this.tail()}`));
      }, timeoutMs);
      timer.unref();
    });
  }

  /** Resolves when the gateway has installed a routing table with a generation above `after`. */
  waitForGeneration(after: number): Promise<LogLine> {
    return this.waitForLog((l) => l.msg === 'routing table installed' && (l['generation'] as number) > after);
  }

  /** Resolves when the gateway has applied more than `after` source updates (endpoint-only ones included). */
  waitForUpdate(after: number): Promise<LogLine> {
    return this.waitForLog((l) => l.msg === 'source update applied' && (l['updates'] as number) > after);
  }

  get updates(): number {
    const applied = this.lines.filter((l) => l.msg === 'source update applied');
    return applied.length === 0 ? 0 : (applied.at(-1)!['updates'] as number);
  }

  get generation(): number {
    const installed = this.lines.filter((l) => l.msg === 'routing table installed');
    return installed.length === 0 ? 0 : (installed.at(-1)!['generation'] as number);
  }

  async listening(listener: 'http' | 'status'): Promise<number> {
    const line = await this.waitForLog((l) => l.msg === 'listening' && l['listener'] === listener);
    return line['port'] as number;
  }

  /** Stops reading the gateway's stdout (its pipe fills, and its writes block or go in pieces) until resumeOutput(). */
  pauseOutput(): void {
    this.child.stdout!.pause();
  }

  resumeOutput(): void {
    this.child.stdout!.resume();
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }

  tail(): string {
    return this.lines.slice(-10).map((l) => JSON.stringify(l)).join('\n');
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** Starts the gateway on ephemeral ports and resolves once it serves traffic. */
export async function startGateway(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ gateway: GatewayProcess; http: string; status: string }> {
  const gateway = new GatewayProcess([
    '--http-port', '0', '--https-port', '0', '--status-port', '0', '--bind-address', '127.0.0.1', '--log-level', 'debug',
    // Tests stop gateways with SIGTERM; a production-sized delay would only slow them (test/e2e/shutdown tests it).
    '--shutdown-delay', '0', ...args,
  ], env);
  const [httpPort, statusPort] = await Promise.all([gateway.listening('http'), gateway.listening('status')]);
  return { gateway, http: `http://127.0.0.1:${httpPort}`, status: `http://127.0.0.1:${statusPort}` };
}
