// Latency below saturation. In the plain scenario every connection sends its next request as soon as the last
// answer arrives, so each proxy runs flat out and its latency is mostly queueing: by Little's law, 50 connections
// at 21k req/s wait 2.4 ms on average, at nginx's 50k 1 ms. Here each of the 50 connections pauses 5 ms after
// every answer (wrk's delay()), which holds the load near 9k req/s for both proxies, well under what one Sluice
// worker serves: the latency is the time each proxy adds to a request, and its tail what pauses (GC) add. The
// node floor (Sluice's design without Sluice: bench/targets/node-floor-server.ts) shows how much of that is Node's.
import type { Scenario } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { directUrl, nginxAndSluice, startBaselines, wrkTarget } from './common.ts';

const connections = 50;
const pauseMs = 5;

export const pacedScenario: Scenario = {
  id: 'paced',
  title: `Latency at a paced load (${connections} connections, ${pauseMs} ms pause after each answer)`,
  runsPerRound: 4,
  async run(context) {
    const { cleanup } = context;
    const { nginx, sluice, notes } = await nginxAndSluice(context, cleanup);
    const floor = (await startBaselines(context, cleanup, ['node floor'], notes)).get('node floor')!;
    const paced = { connections, pauseMs };
    const rows = await runInterleaved(
      [
        wrkTarget(context, 'direct', directUrl(context), undefined, paced),
        wrkTarget(context, 'nginx', nginx.url, nginx.pid, paced),
        wrkTarget(context, 'node floor', floor.url, floor.pid, paced),
        wrkTarget(context, 'sluice', sluice.url, sluice.pid, paced),
      ],
      context,
    );
    return {
      method: `wrk, 1 thread, ${connections} keep-alive connections, plain route; each connection waits ${pauseMs} ms after every answer before its next request (WRK_DELAY_MS, wrk's delay() in bench/load/wrk-report.lua), so the offered load is about ${connections} / (${pauseMs} ms + latency) ≈ ${Math.round((connections * 1000) / pauseMs / 1000)}k req/s, below one Sluice worker's capacity. Latency percentiles from wrk's histogram (µs resolution). Pinning as in the plain scenario.`,
      unit: 'req/s',
      rows,
      ratioTo: ['nginx', 'direct'],
      facts: [],
      notes,
    };
  },
};
