// Flags of `npm run bench`. The defaults are the full suite (≥ 3 rounds, so medians mean something); --quick is
// for checking that scenarios work (2 s, 1 round), and its output never replaces bench/RESULTS.md.
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Scenario ids to run, in the suite's order. */
  readonly scenarios: readonly string[];
  readonly durationS: number;
  readonly rounds: number;
  readonly warmupS: number;
  readonly connections: number;
  /** Repetitions of each change-latency measurement (10k table). */
  readonly changeSamples: number;
  /** Extra flags for every Sluice process, e.g. --sluice-arg=--no-metrics. */
  readonly sluiceArgs: readonly string[];
  readonly quick: boolean;
  /** Where RESULTS.md and RESULTS.svg go; undefined: bench/ for a full run, bench/results/ otherwise. */
  readonly out: string | undefined;
  /** The command line as typed, for RESULTS.md. */
  readonly invocation: string;
}

export function parseBenchArgs(argv: readonly string[], known: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      all: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true, default: [] },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string', default: '50' },
      'change-samples': { type: 'string' },
      'sluice-arg': { type: 'string', multiple: true, default: [] },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(`npm run bench [-- options]
  --all                     every scenario (the default)
  --scenario <ids>          comma-separated subset of: ${known.join(', ')}
  --duration <s>            seconds per load run (default 8; --quick: 2)
  --rounds <n>              interleaved rounds, medians over them (default 3; --quick: 1)
  --warmup <s>              discarded warm-up run per target (default 2; --quick: 1)
  --connections <n>         client connections (default 50)
  --change-samples <n>      repetitions of each change-latency measurement (default 100, so p99 is not the maximum; --quick: 3)
  --sluice-arg=<flag>       extra flag for every Sluice process (repeatable)
  --quick                   check the scenarios work; never replaces bench/RESULTS.md
  --out <dir>               where RESULTS.md and RESULTS.svg go`);
    process.exit(0);
  }
  const requested = values.all ? [] : values.scenario.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const unknown = requested.filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  const quick = values.quick;
  const number = (value: string | undefined, fallback: number, name: string): number => {
    const n = Number(value ?? fallback);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  return {
    scenarios: requested.length === 0 ? known : known.filter((s) => requested.includes(s)),
    durationS: number(values.duration, quick ? 2 : 8, 'duration'),
    rounds: Math.round(number(values.rounds, quick ? 1 : 3, 'rounds')),
    warmupS: values.warmup === '0' ? 0 : number(values.warmup, quick ? 1 : 2, 'warmup'),
    connections: Math.round(number(values.connections, 50, 'connections')),
    // 100: issue 8's targets are p99s, and with 20 samples a nearest-rank p99 is the maximum, one stray pause in the
    // bench's own process (its fake API server's mark-compact: 15 ms) is then "the p99". The max is reported too.
    changeSamples: Math.round(number(values['change-samples'], quick ? 3 : 100, 'change-samples')),
    sluiceArgs: values['sluice-arg'],
    quick,
    out: values.out,
    invocation: `npm run bench${argv.length > 0 ? ' -- ' + argv.join(' ') : ''}`,
  };
}
