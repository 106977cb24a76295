// `npm run bench`: Sluice's benchmark suite (issue 8). Starts the upstream pods once, runs each scenario (which
// starts and stops its own proxies), and writes RESULTS.md + RESULTS.svg, plus the raw runs as JSON in
// bench/results/. See bench/README.md for what each scenario measures and how to read the output.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from './options.ts';
import { Cleanup, cpus, pinPid } from './lib/proc.ts';
import { renderChart } from './report/chart.ts';
import { describeEnvironment } from './report/machine.ts';
import { renderMarkdown } from './report/markdown.ts';
import { checkTargets } from './report/targets.ts';
import type { Scenario, ScenarioResult } from './scenario.ts';
import { bodiesScenario } from './scenarios/bodies.ts';
import { churnScenario } from './scenarios/churn.ts';
import { featuresScenario } from './scenarios/features.ts';
import { plainScenario } from './scenarios/plain.ts';
import { table10kScenario } from './scenarios/table10k.ts';
import { table10kKubeScenario } from './scenarios/table10k-kube.ts';
import { pacedScenario } from './scenarios/paced.ts';
import { tailScenario } from './scenarios/tail.ts';
import { tlsScenario } from './scenarios/tls.ts';
import { websocketScenario } from './scenarios/websocket.ts';
import { workersScenario } from './scenarios/workers.ts';
import { assertPortsFree } from './lib/net.ts';
import { hasNginx } from './targets/nginx.ts';
import { startPods } from './targets/pods.ts';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const suite: readonly Scenario[] = [
  plainScenario, tailScenario, pacedScenario, featuresScenario, tlsScenario, table10kScenario, table10kKubeScenario, bodiesScenario, websocketScenario, churnScenario, workersScenario,
];

const options = parseBenchArgs(process.argv.slice(2), suite.map((s) => s.id));
if (!hasNginx()) throw new Error('nginx is not installed: run `bash bench/ensure-tools.sh` (npm run bench does it first)');
// The bench's own process (file churn, /proc sampling, change polling) stays off the proxy's CPU.
pinPid(process.pid, cpus.rest);

const selected = suite.filter((s) => options.scenarios.includes(s.id));
const runs = selected.reduce((n, s) => n + s.runsPerRound, 0);
console.error(`bench: ${selected.map((s) => s.id).join(', ')}; ${runs} targets × ${options.rounds} rounds × ${options.durationS} s ≈ ${Math.ceil((runs * (options.rounds * options.durationS + options.warmupS)) / 60)} min of load`);

const started = new Date();
// Other work on the machine moves every figure: say how busy it was before the suite added its own load.
const loadBefore = loadavg()[0]!;
if (loadBefore > 0.5) console.error(`bench: warning: load average ${loadBefore.toFixed(2)} before starting; figures from a busy machine are not comparable`);
const work = await mkdtemp(join(tmpdir(), 'sluice-suite-'));
await assertPortsFree();
const pods = await startPods();
const results: ScenarioResult[] = [];
try {
  for (const scenario of selected) {
    const dir = join(work, scenario.id);
    await mkdir(dir, { recursive: true });
    console.error(`bench: ${scenario.id} — ${scenario.title}`);
    const progress = (message: string): void => console.error(`  ${scenario.id}: ${message}`);
    const cleanup = new Cleanup();
    try {
      const processes: string[] = [];
      const report = await scenario.run({ options, pods, dir, progress, processes, cleanup });
      results.push({ id: scenario.id, title: scenario.title, ...report, processes });
    } catch (err: unknown) {
      // One broken scenario must not cost the others' results: it is reported as failed in RESULTS.md.
      console.error(`bench: ${scenario.id} failed:`, err);
      results.push({ id: scenario.id, title: scenario.title, method: '', unit: 'req/s', rows: [], ratioTo: [], facts: [], skipped: `failed: ${String(err)}` });
    } finally {
      await cleanup.run();
    }
    await rm(dir, { recursive: true, force: true });
  }
} finally {
  await pods.stop();
  await rm(work, { recursive: true, force: true });
}

const minutes = (Date.now() - started.getTime()) / 60_000;
// Only a full run (every scenario, ≥ 3 rounds) replaces the committed bench/RESULTS.md.
const complete = !options.quick && options.rounds >= 3 && selected.length === suite.length;
const outDir = options.out ?? (complete ? benchDir : join(benchDir, 'results'));
await mkdir(join(benchDir, 'results'), { recursive: true });
await mkdir(outDir, { recursive: true });
const env = describeEnvironment(loadBefore);
const subtitle = `blue: Sluice, grey: baselines · ${env.cpuModel}, ${env.cores} cores · ${started.toISOString().slice(0, 10)} · ${env.versions[0]![1]}`;
await writeFile(join(outDir, 'RESULTS.svg'), await renderChart(results, subtitle));
await writeFile(join(outDir, 'RESULTS.md'), renderMarkdown(results, checkTargets(results), env, options, started, minutes, 'RESULTS.svg') + '\n');
const raw = join(benchDir, 'results', `raw-${started.toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(raw, JSON.stringify({ options, env, results }, null, 2));
console.error(`bench: wrote ${join(outDir, 'RESULTS.md')}, RESULTS.svg and ${raw} (${minutes.toFixed(1)} min)`);
