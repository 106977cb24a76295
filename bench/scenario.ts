// What a scenario is and how its targets are measured: every target gets one discarded warm-up run (V8's JIT,
// pools, TLS session state), then rounds are interleaved (a, b, c, a, b, c, …) so drift on a shared machine hits
// every target alike, and each run records the target process's CPU per request and its peak RSS under load.
import type { BenchOptions } from './options.ts';
import { cpuMicros, RssSampler } from './lib/proc-stats.ts';
import type { Cleanup } from './lib/proc.ts';
import type { LoadResult } from './load/types.ts';
import type { Pods } from './targets/pods.ts';

export interface RunResult extends LoadResult {
  /** CPU time of the target process (all threads) divided by the requests of the run. */
  readonly cpuUsPerRequest: number | undefined;
  readonly peakRssMiB: number | undefined;
  /** Scenario-specific figures of the run (e.g. routing tables installed during churn). */
  readonly extra: Readonly<Record<string, number>>;
}

export interface Target {
  readonly name: string;
  /** The process whose CPU and RSS are measured (the proxy), when there is one. */
  readonly pid?: number;
  readonly load: (durationS: number) => Promise<LoadResult>;
  /** Started just before the load and finished right after it (e.g. churn); its figures land in `extra`. */
  readonly during?: () => () => Promise<Record<string, number>>;
}

export interface Row {
  readonly name: string;
  readonly runs: readonly RunResult[];
}

/** A one-off measurement that is not a load run (compile time, change latency): a sample per repetition. */
export interface Fact {
  readonly label: string;
  readonly unit: string;
  readonly samples: readonly number[];
  /** How to summarise the samples: 'spread' = median (min–max); 'latency' = median, p99, max. */
  readonly kind: 'spread' | 'latency';
}

export interface RatioColumn {
  readonly label: string;
  /** The row each row is compared with (e.g. "nginx upload" for "sluice upload"). */
  readonly baseOf: (row: string) => string;
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  /** What is measured and how (load generator, connections, pinning), in sentences for RESULTS.md. */
  readonly method: string;
  /** Throughput unit shown for the rows ('req/s', 'msg/s'). */
  readonly unit: string;
  readonly rows: readonly Row[];
  /** Ratio columns: a row name (a column when that row exists), or a column whose base depends on the row. */
  readonly ratioTo: ReadonlyArray<string | RatioColumn>;
  readonly facts: readonly Fact[];
  /** Set when the scenario could not run here (the reason), instead of rows. */
  readonly skipped?: string;
  readonly notes?: readonly string[];
  /** Filled in by the runner from the context. */
  readonly processes?: readonly string[];
}

/** What a scenario's run() returns; the runner completes it into a ScenarioResult. */
export type ScenarioReport = Omit<ScenarioResult, 'id' | 'title' | 'processes'>;

export interface ScenarioContext {
  readonly options: BenchOptions;
  readonly pods: Pods;
  /** A fresh directory for this scenario's manifests and logs. */
  readonly dir: string;
  readonly progress: (message: string) => void;
  /** Command lines of the processes the scenario started (proxies under test), for RESULTS.md. */
  readonly processes: string[];
  /** Stops what the scenario started: the runner runs it when the scenario ends, failed or not. */
  readonly cleanup: Cleanup;
}

export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** Load runs per round (for the duration estimate). */
  readonly runsPerRound: number;
  /** What the scenario measured: the runner adds its id and title, and the processes it started. */
  run(context: ScenarioContext): Promise<ScenarioReport>;
}

export async function measure(target: Target, durationS: number): Promise<RunResult> {
  const sampler = target.pid === undefined ? undefined : new RssSampler([target.pid]);
  const finish = target.during?.();
  const cpuBefore = target.pid === undefined ? 0 : await cpuMicros(target.pid);
  let result: LoadResult;
  let peaks: Map<number, number> | undefined;
  let extra: Record<string, number> = {};
  try {
    result = await target.load(durationS);
  } finally {
    peaks = await sampler?.stop();
    if (finish) extra = await finish();
  }
  const cpuUs = target.pid === undefined ? undefined : (await cpuMicros(target.pid)) - cpuBefore;
  return {
    ...result,
    cpuUsPerRequest: cpuUs === undefined || result.requests === 0 ? undefined : cpuUs / result.requests,
    peakRssMiB: target.pid === undefined ? undefined : peaks?.get(target.pid),
    extra,
  };
}

/** Warm-up once per target, then `rounds` interleaved rounds. */
export async function runInterleaved(targets: readonly Target[], context: ScenarioContext): Promise<Row[]> {
  const { rounds, durationS, warmupS } = context.options;
  if (warmupS > 0) {
    for (const target of targets) await target.load(warmupS);
  }
  const runs = new Map<string, RunResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const result = await measure(target, durationS);
      context.progress(`round ${round}/${rounds} ${target.name}: ${result.reqPerSec.toFixed(0)}/s, p99 ${result.p99Ms.toFixed(2)} ms, errors ${result.errors}`);
      runs.get(target.name)!.push(result);
    }
  }
  return targets.map((t) => ({ name: t.name, runs: runs.get(t.name)! }));
}
