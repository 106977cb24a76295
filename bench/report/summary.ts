// Rows of runs → the figures RESULTS.md, the chart and the target checks read: medians with ranges.
import type { Row, ScenarioResult } from '../scenario.ts';
import { spread, type Spread } from '../lib/stats.ts';

export interface RowSummary {
  readonly name: string;
  readonly rate: Spread;
  readonly p50Ms: Spread | undefined;
  readonly p99Ms: Spread | undefined;
  readonly p999Ms: Spread | undefined;
  /** Summed over every run: any error is a finding. */
  readonly errors: number;
  readonly cpuUsPerRequest: Spread | undefined;
  /** Peak RSS under load: the highest of the runs' peaks is the one that matters, the median is shown too. */
  readonly peakRssMiB: Spread | undefined;
  readonly extra: ReadonlyMap<string, Spread>;
  /** The command of the last run (every run of a row uses the same one). */
  readonly command: string;
}

export function summarise(row: Row): RowSummary {
  const pick = (f: (r: Row['runs'][number]) => number | undefined): Spread | undefined => spread(row.runs.map(f));
  const extraKeys = [...new Set(row.runs.flatMap((r) => Object.keys(r.extra)))];
  const extra = new Map<string, Spread>();
  for (const key of extraKeys) {
    const s = pick((r) => r.extra[key]);
    if (s) extra.set(key, s);
  }
  return {
    name: row.name,
    rate: pick((r) => r.reqPerSec) ?? { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 },
    p50Ms: pick((r) => r.p50Ms),
    p99Ms: pick((r) => r.p99Ms),
    p999Ms: pick((r) => r.p999Ms),
    errors: row.runs.reduce((n, r) => n + r.errors, 0),
    cpuUsPerRequest: pick((r) => r.cpuUsPerRequest),
    peakRssMiB: pick((r) => r.peakRssMiB),
    extra,
    command: row.runs.at(-1)?.command ?? '',
  };
}

export function summariseScenario(result: ScenarioResult): Map<string, RowSummary> {
  return new Map(result.rows.map((row) => [row.name, summarise(row)]));
}

/** median(a) / median(b) of req/s, or undefined when either row is missing. */
export function rateRatio(rows: ReadonlyMap<string, RowSummary>, a: string, b: string): number | undefined {
  const x = rows.get(a)?.rate.median;
  const y = rows.get(b)?.rate.median;
  return x === undefined || y === undefined || y === 0 ? undefined : x / y;
}
