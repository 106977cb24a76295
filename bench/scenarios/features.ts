// Per-request features against the plain route, on one Sluice process, with autocannon (issue 8: each ≥ 0.8× of
// the plain route): regex + rewrite, a rate limit that is never hit, and HTTPS keep-alive.
import { canPin } from '../lib/proc.ts';
import { runAutocannon } from '../load/autocannon.ts';
import { routeRequests } from '../manifests/routes.ts';
import type { Scenario, Target } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { sluiceOnSharedRoutes } from './common.ts';

export const featuresScenario: Scenario = {
  id: 'features',
  title: 'Per-request features (Sluice against its own plain route)',
  runsPerRound: 4,
  async run(context) {
    const { cleanup } = context;
    const sluice = await sluiceOnSharedRoutes(context, cleanup, 0);
    const target = (name: string, base: string, request: { host: string; path: string }): Target => ({
      name,
      pid: sluice.pid,
      load: (durationS) => runAutocannon({ url: base + request.path, host: request.host, connections: context.options.connections, durationS }),
    });
    const rows = await runInterleaved(
      [
        target('plain', sluice.url, routeRequests.plain),
        target('regex + rewrite', sluice.url, routeRequests.regex),
        target('rate limit (not hit)', sluice.url, routeRequests.limited),
        target('https keep-alive', sluice.secureUrl, routeRequests.plain),
      ],
      context,
    );
    return {
      method: `autocannon (programmatic, in a child process), ${context.options.connections} keep-alive connections, one Sluice process serving all four routes. ` +
        `regex: \`/api(/|$)(.*)\` with rewrite-target \`/$2\`, request /api/items/42; rate limit: limit-rps 100000 (burst 500000); https: TLS 1.3, the generated RSA-2048 certificate. ` +
        (canPin ? 'Sluice on CPU 1, autocannon and pods on CPU 0.' : 'Not pinned.'),
      unit: 'req/s',
      rows,
      ratioTo: ['plain'],
      facts: [],
    };
  },
};
