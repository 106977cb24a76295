// Tail latency at 200 connections (issue 8: p99.9 ≤ 100 ms there, where Node proxies reached 0.1–0.5 s).
import { Cleanup } from '../lib/proc.ts';
import type { Scenario } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { nginxAndSluice, wrkTarget } from './common.ts';

const connections = 200;

export const tailScenario: Scenario = {
  id: 'tail',
  title: `Tail latency at ${connections} connections`,
  runsPerRound: 2,
  async run(context) {
    const cleanup = new Cleanup();
    try {
      const { nginx, sluice, notes } = await nginxAndSluice(context, cleanup);
      const rows = await runInterleaved(
        [wrkTarget(context, 'nginx', nginx.url, nginx.pid, { connections }), wrkTarget(context, 'sluice', sluice.url, sluice.pid, { connections })],
        context,
      );
      return {
        id: 'tail',
        title: this.title,
        method: `wrk, 1 thread, ${connections} keep-alive connections, plain route; p99.9 from wrk's latency histogram (bench/load/wrk-report.lua). Pinning as in the plain scenario.`,
        unit: 'req/s',
        rows,
        ratioTo: ['nginx'],
        facts: [],
        notes,
      };
    } finally {
      await cleanup.run();
    }
  },
};
