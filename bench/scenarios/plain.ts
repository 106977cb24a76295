// The plain route against every baseline, with wrk (the ratios to nginx are issue 8's bar): direct to a pod,
// nginx configured like ingress-nginx, Caddy, minimal http-proxy, the featureless Node floor (node:http + Sluice's
// upstream pools), the same with undici's Pool instead (what Sluice was built on before) and without node:http's
// server (llhttp on raw sockets: what that server costs), Sluice, and Sluice with its access log on.
import { join } from 'node:path';
import { canPin } from '../lib/proc.ts';
import type { Scenario, Target } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { directUrl, sluiceOnSharedRoutes, startBaselines, wrkTarget } from './common.ts';

export const plainScenario: Scenario = {
  id: 'plain',
  title: 'Plain route: Sluice against the baselines',
  runsPerRound: 9,
  async run(context) {
    const { cleanup } = context;
    const notes: string[] = [];
    const baselines = await startBaselines(context, cleanup, ['nginx', 'caddy', 'http-proxy', 'node floor', 'undici floor', 'llhttp floor'], notes);
    const sluice = await sluiceOnSharedRoutes(context, cleanup, 0);
    const logged = await sluiceOnSharedRoutes(context, cleanup, 1, { args: [`--access-log=${join(context.dir, 'access.log')}`] });
    const targets: Target[] = [wrkTarget(context, 'direct', directUrl(context), undefined)];
    for (const [name, proxy] of baselines) targets.push(wrkTarget(context, name, proxy.url, proxy.pid));
    targets.push(wrkTarget(context, 'sluice', sluice.url, sluice.pid));
    targets.push(wrkTarget(context, 'sluice + access log', logged.url, logged.pid));
    const rows = await runInterleaved(targets, context);
    return {
      method: `wrk, 1 thread, ${context.options.connections} keep-alive connections, GET / (13-byte answer), round robin over two nginx pods. ` +
        (canPin ? 'Each proxy pinned alone to CPU 1; pods and wrk on CPU 0.' : 'No taskset: processes not pinned.') +
        ' Metrics on, access log off, unless the row says otherwise (the access log goes to a file).',
      unit: 'req/s',
      rows,
      ratioTo: ['nginx', 'direct'],
      facts: [],
      notes,
    };
  },
};
