// Multi-core: Sluice with --workers 1 and --workers 2 (worker threads behind SO_REUSEPORT listeners), plain route,
// wrk. Issue 8: CPU µs per request per worker must not grow with the number of workers. CPU is the whole
// process's (every thread, primary included) from /proc, divided by the requests served.
// Skipped, with the CLI's own words, while the CLI does not accept --workers.
import { canPin, cpus } from '../lib/proc.ts';
import type { Scenario, Target } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedRoutes } from '../manifests/routes.ts';
import { isRejected, startSluice } from '../targets/sluice.ts';
import { wrkTarget } from './common.ts';

const counts = [1, 2] as const;

export const workersScenario: Scenario = {
  id: 'workers',
  title: 'Multi-core: --workers 1 and 2',
  runsPerRound: counts.length,
  async run(context) {
    const { cleanup } = context;
    const targets: Target[] = [];
    for (const [i, n] of counts.entries()) {
      const dir = join(context.dir, `workers-${n}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'routes.yaml'), sharedRoutes(context.pods));
      // One worker keeps the proxy CPU to itself, as everywhere else; more workers get every CPU the rig has.
      const cpu = n === 1 ? cpus.proxy : cpus.all;
      const sluice = await startSluice({ instance: i, manifests: dir, cpu, args: ['--workers', String(n), ...context.options.sluiceArgs] });
      if (isRejected(sluice)) {
        return {
          method: '', unit: 'req/s', rows: [], ratioTo: [], facts: [],
          skipped: `the sluice CLI does not accept --workers yet: "${sluice.rejected.split('\n')[0]}"`,
        };
      }
      cleanup.add(() => sluice.stop());
      context.processes.push(sluice.command);
      targets.push(wrkTarget(context, `--workers ${n}`, sluice.url, sluice.pid));
    }
    const rows = await runInterleaved(targets, context);
    return {
      method: `wrk, 1 thread, ${context.options.connections} keep-alive connections, plain route. ` +
        (canPin
          ? `--workers 1 pinned to CPU ${cpus.proxy} (as in every other scenario); --workers 2 allowed on CPUs ${cpus.all}, which it shares with wrk and the pods (CPU ${cpus.rest}) on a 2-core machine, so its req/s understates what 2 dedicated cores give. `
          : 'Not pinned. ') +
        'CPU µs/req is the whole process (all threads) divided by requests: the per-worker cost, which must not grow with N.',
      unit: 'req/s',
      rows,
      ratioTo: ['--workers 1'],
      facts: [],
    };
  },
};
