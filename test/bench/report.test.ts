// The benchmark report's arithmetic: medians and ranges over rounds, ratios between rows, and the issue 8
// checks computed from them (RESULTS.md is generated from these; a wrong ratio there would mislead silently).
import { describe, expect, it } from 'vitest';
import { median, percentile, spread } from '../../bench/lib/stats.ts';
import { renderMarkdown } from '../../bench/report/markdown.ts';
import { checkTargets } from '../../bench/report/targets.ts';
import type { RunResult, ScenarioResult } from '../../bench/scenario.ts';
import type { BenchOptions } from '../../bench/options.ts';

const run = (reqPerSec: number, p99Ms: number, extra: Partial<RunResult> = {}): RunResult => ({
  reqPerSec, requests: reqPerSec * 8, p50Ms: 1, p99Ms, p999Ms: p99Ms * 2, errors: 0, command: 'wrk …',
  cpuUsPerRequest: 1e6 / reqPerSec, peakRssMiB: 100, extra: {}, ...extra,
});

const plain: ScenarioResult = {
  id: 'plain', title: 'Plain', method: 'm', unit: 'req/s', ratioTo: ['nginx'], facts: [],
  rows: [
    { name: 'nginx', runs: [run(40_000, 2), run(50_000, 1), run(45_000, 1.5)] },
    { name: 'sluice', runs: [run(15_000, 4), run(9_000, 9), run(12_000, 5)] },
    { name: 'sluice + access log', runs: [run(10_000, 5), run(10_000, 5), run(10_000, 5)] },
    { name: 'caddy', runs: [run(8_000, 3), run(8_000, 3), run(8_000, 3)] },
  ],
};

describe('bench report', () => {
  it('summarises rounds as median with range, and percentiles by nearest rank', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(spread([1, undefined])).toBeUndefined();
    expect(percentile([5, 1, 4, 2, 3], 99)).toBe(5);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
  });

  it('checks issue 8 targets from medians of the same run', () => {
    const checks = new Map(checkTargets([plain]).map((c) => [c.target, c]));
    const ratio = checks.get('one Sluice worker ≥ 0.25× nginx req/s (wrk, 50 connections)')!;
    expect(ratio.measured).toBe('0.27×'); // 12 000 / 45 000
    expect(ratio.met).toBe(true);
    expect(checks.get("p99 ≤ 2× nginx's at 50 connections")!.met).toBe(false); // 5 ms vs 1.5 ms
    expect(checks.get('access log on ≥ 0.8× of access log off')!.met).toBe(true); // 10 000 / 12 000
    expect(checks.get('≥ 1.5× Caddy per core')!.met).toBe(true); // 12 000 / 8 000
  });

  it('checks the change targets of the Kubernetes source apart from those of the manifest-file source', () => {
    const latency = (label: string, samples: number[]) => ({ label, unit: 'ms', samples, kind: 'latency' as const });
    const kube: ScenarioResult = {
      id: 'table10k-kube', title: 'Kube', method: 'm', unit: 'req/s', rows: [], ratioTo: [],
      facts: [latency('Ingress change, 10k table: source update → served', [10, 60, 20]), latency('EndpointSlice change, 10k table: source update → served', [2, 4, 3])],
    };
    const checks = new Map(checkTargets([kube]).map((c) => [c.target, c]));
    expect(checks.get('a single Ingress change served ≤ 50 ms p99 after the source sees it (Kubernetes source)')).toMatchObject({ measured: '60.0 ms p99', met: false });
    expect(checks.get('an EndpointSlice change ≤ 10 ms (Kubernetes source)')).toMatchObject({ measured: '4.0 ms p99', met: true });
    expect(checks.has('a single Ingress change served ≤ 50 ms p99 after the source sees it')).toBe(false); // table10k did not run
  });

  it('says which targets went unmeasured when a scenario was skipped', () => {
    const skipped: ScenarioResult = { id: 'workers', title: 'Workers', method: '', unit: 'req/s', rows: [], ratioTo: [], facts: [], skipped: 'no --workers' };
    const checks = checkTargets([plain, skipped]);
    expect(checks.at(-1)).toEqual({ target: 'the targets of "Workers"', measured: 'not measured: no --workers', met: undefined });
    expect(checks.filter((c) => c.met === undefined)).toHaveLength(1);
  });

  it('renders ratio columns and ranges into RESULTS.md', () => {
    const options = { scenarios: ['plain'], durationS: 8, rounds: 3, warmupS: 2, connections: 50, changeSamples: 20, sluiceArgs: [], quick: false, out: undefined, invocation: 'npm run bench' } satisfies BenchOptions;
    const env = { cpuModel: 'CPU', cores: 2, kernel: 'Linux', memoryGiB: 24, pinning: 'taskset', loadBefore: 0, versions: [['node', 'v24']] as const };
    const md = renderMarkdown([plain], checkTargets([plain]), env, options, new Date(0), 1, 'RESULTS.svg');
    expect(md).toContain('| sluice | 12000 (9000–15000) | 0.27 |');
    expect(md).toContain('| nginx | 45000 (40000–50000) | 1.00 |');
  });
});
