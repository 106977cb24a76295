// 1 MiB bodies through the proxy, both ways: GET of a 1 MiB file from the pods, and POST of 1 MiB to them.
// wrk, because the ratios are against nginx (configured as ingress-nginx: its 8k body buffer makes it spool
// every upload to a temp file before forwarding, as it does in a cluster; Sluice streams).
import { canPin } from '../lib/proc.ts';
import { bodyBytes, paths } from '../lib/net.ts';
import type { Scenario, Target } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { directUrl, nginxAndSluice, wrkTarget } from './common.ts';

export const bodiesScenario: Scenario = {
  id: 'bodies',
  title: '1 MiB bodies: download and upload',
  runsPerRound: 6,
  async run(context) {
    const { cleanup } = context;
    const { nginx, sluice, notes } = await nginxAndSluice(context, cleanup);
    const both = (name: string, base: string, pid: number | undefined): Target[] => [
      wrkTarget(context, `${name} download`, base, pid, { path: paths.download }),
      wrkTarget(context, `${name} upload`, base, pid, { path: paths.upload, uploadBytes: bodyBytes }),
    ];
    const rows = await runInterleaved([...both('direct', directUrl(context), undefined), ...both('nginx', nginx.url, nginx.pid), ...both('sluice', sluice.url, sluice.pid)], context);
    return {
      method: `wrk, 1 thread, ${context.options.connections} keep-alive connections; download: GET ${paths.download} (a ${bodyBytes}-byte file, nginx sendfile); ` +
        `upload: POST of ${bodyBytes} bytes to ${paths.upload} (the pod discards it and answers 200); nginx, configured as ingress-nginx (8k body buffer, request buffering on), spools each upload to a temp file before forwarding, Sluice streams it. ` +
        (canPin ? 'Proxies on CPU 1, wrk and pods on CPU 0.' : 'Not pinned.'),
      unit: 'req/s',
      rows,
      // Each row against nginx and direct in the same direction.
      ratioTo: ['nginx', 'direct'].map((base) => ({ label: `${base} (same direction)`, baseOf: (row: string) => `${base} ${row.split(' ').at(-1)}` })),
      facts: [],
      notes,
    };
  },
};
