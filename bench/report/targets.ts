// Issue 8's targets, checked against the figures of the run (medians; a check whose scenario did not run is
// left out). The wording of each target is the issue's.
import type { Fact, ScenarioResult } from '../scenario.ts';
import { median, percentile } from '../lib/stats.ts';
import { rateRatio, summariseScenario, type RowSummary } from './summary.ts';

export interface Check {
  readonly target: string;
  readonly measured: string;
  /** undefined: not measured in this run (the scenario was skipped or failed). */
  readonly met: boolean | undefined;
}

const x = (n: number): string => `${n.toFixed(2)}×`;

export function checkTargets(results: readonly ScenarioResult[]): Check[] {
  const checks: Check[] = [];
  const rows = (id: string): Map<string, RowSummary> | undefined => {
    const r = results.find((s) => s.id === id && !s.skipped);
    return r ? summariseScenario(r) : undefined;
  };
  const fact = (id: string, label: string): Fact | undefined => results.find((s) => s.id === id)?.facts.find((f) => f.label === label);
  const ratio = (target: string, value: number | undefined, bar: number): void => {
    if (value !== undefined) checks.push({ target, measured: x(value), met: value >= bar });
  };
  const atMost = (target: string, value: number | undefined, bar: number, unit: string): void => {
    if (value !== undefined) checks.push({ target, measured: `${value.toFixed(1)} ${unit}`, met: value <= bar });
  };
  // The issue states memory in MB (10^6 bytes); /proc reports KiB, shown here as MiB.
  const rssAtMost = (target: string, mib: number | undefined, megabytes: number): void => {
    if (mib !== undefined) checks.push({ target, measured: `${mib.toFixed(0)} MiB = ${((mib * 2 ** 20) / 1e6).toFixed(0)} MB (highest peak under load)`, met: mib * 2 ** 20 <= megabytes * 1e6 });
  };

  const plain = rows('plain');
  if (plain) {
    ratio('one Sluice worker ≥ 0.25× nginx req/s (wrk, 50 connections)', rateRatio(plain, 'sluice', 'nginx'), 0.25);
    const p99 = plain.get('sluice')?.p99Ms?.median;
    const nginxP99 = plain.get('nginx')?.p99Ms?.median;
    if (p99 !== undefined && nginxP99 !== undefined) checks.push({ target: 'p99 ≤ 2× nginx\'s at 50 connections', measured: `${p99.toFixed(2)} ms vs ${nginxP99.toFixed(2)} ms (${x(p99 / nginxP99)})`, met: p99 <= 2 * nginxP99 });
    ratio('access log on ≥ 0.8× of access log off', rateRatio(plain, 'sluice + access log', 'sluice'), 0.8);
    const overCaddy = rateRatio(plain, 'sluice', 'caddy');
    const floorOverCaddy = rateRatio(plain, 'node floor', 'caddy');
    // The featureless Node floor bounds what any proxy of Sluice's design reaches on the machine: shown beside.
    if (overCaddy !== undefined) checks.push({ target: '≥ 1.5× Caddy per core', measured: x(overCaddy) + (floorOverCaddy === undefined ? '' : ` (the featureless Node floor: ${x(floorOverCaddy)})`), met: overCaddy >= 1.5 });
    rssAtMost('≤ 150 MB RSS per worker under load, one route', plain.get('sluice')?.peakRssMiB?.max, 150);
  }
  const tail = rows('tail');
  if (tail) atMost('p99.9 ≤ 100 ms at 200 connections', tail.get('sluice')?.p999Ms?.median, 100, 'ms');
  const features = rows('features');
  if (features) {
    for (const name of ['regex + rewrite', 'rate limit (not hit)', 'https keep-alive']) ratio(`${name} ≥ 0.8× the plain route`, rateRatio(features, name, 'plain'), 0.8);
  }
  // The change targets, measured with the manifest-file source (table10k) and with production's Kubernetes source.
  const changeTargets = (id: string, source: string): void => {
    const ingressChange = fact(id, 'Ingress change, 10k table: source update → served');
    if (ingressChange) atMost(`a single Ingress change served ≤ 50 ms p99 after the source sees it${source}`, percentile(ingressChange.samples, 99), 50, 'ms p99');
    const endpointChange = fact(id, 'EndpointSlice change, 10k table: source update → served');
    if (endpointChange) atMost(`an EndpointSlice change ≤ 10 ms${source}`, percentile(endpointChange.samples, 99), 10, 'ms p99');
  };
  const table = rows('table10k');
  if (table) {
    ratio('10k table req/s ≥ 0.9× the 1-route req/s', rateRatio(table, '10k table', '1 route'), 0.9);
    const compile = fact('table10k', 'compile() of the table (in the bench process)');
    if (compile) atMost('compile ≤ 1 s (10k table)', median(compile.samples), 1000, 'ms (median compile())');
    changeTargets('table10k', '');
    rssAtMost('RSS ≤ 200 MB per worker (10k table)', table.get('10k table')?.peakRssMiB?.max, 200);
  }
  changeTargets('table10k-kube', ' (Kubernetes source)');
  const churn = rows('churn');
  if (churn) {
    for (const name of ['config churn', 'endpoint churn']) {
      const errors = churn.get(name)?.errors;
      if (errors !== undefined) checks.push({ target: `${name} under load: 0 errors`, measured: `${errors} errors`, met: errors === 0 });
    }
  }
  const workers = rows('workers');
  if (workers) {
    const one = workers.get('--workers 1')?.cpuUsPerRequest?.median;
    const two = workers.get('--workers 2')?.cpuUsPerRequest?.median;
    if (one !== undefined && two !== undefined) {
      // 10 % is this rig's run-to-run spread of CPU per request; a real growth shows well above it.
      checks.push({ target: 'CPU µs per request does not grow with workers (N = 1 → 2, within 10 %)', measured: `${one.toFixed(1)} → ${two.toFixed(1)} µs`, met: two <= one * 1.1 });
    }
  }
  for (const result of results) {
    if (result.skipped) checks.push({ target: `the targets of "${result.title}"`, measured: `not measured: ${result.skipped}`, met: undefined });
  }
  return checks;
}
