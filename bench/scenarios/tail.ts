// Tail latency at 200 connections (issue 8: p99.9 ≤ 100 ms there, where Node proxies reached 0.1–0.5 s).
import type { Scenario } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { nginxAndSluice, wrkTarget } from './common.ts';

const connections = 200;

export const tailScenario: Scenario = {
  id: 'tail',
  title: `Tail latency at ${connections} connections`,
  runsPerRound: 2,
  async run(context) {
    const { cleanup } = context;
    const { nginx, sluice, notes } = await nginxAndSluice(context, cleanup);
    const rows = await runInterleaved(
      [wrkTarget(context, 'nginx', nginx.url, nginx.pid, { connections }), wrkTarget(context, 'sluice', sluice.url, sluice.pid, { connections })],
      context,
    );
    return {
      // wrk opens its connections at the start of every run and their first requests are in the histogram, on
      // purpose (bench/README.md, "The tail scenario"): 200 of them are ~0.2 % of an 8 s Sluice run, so p99.9
      // includes how fast a loaded worker accepts a burst of connections — the 0.3–0.8 s it was before
      // src/proxy/listen.ts's extra accepting sockets.
      method: `wrk, 1 thread, ${connections} keep-alive connections, plain route; p99.9 from wrk's latency histogram (bench/load/wrk-report.lua), which includes the first request of each connection, all opened at the start of every run (about 0.2 % of a Sluice run: the p99.9 includes accepting that burst under load). Pinning as in the plain scenario.`,
      unit: 'req/s',
      rows,
      ratioTo: ['nginx'],
      facts: [],
      notes,
    };
  },
};
