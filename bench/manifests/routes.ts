// The small route set most scenarios share, one Ingress per feature, each on its own host:
//   bench.test          plain Prefix `/` (the baseline route)
//   regex.bench.test    regex + rewrite: `/api(/|$)(.*)` → `/$2` (ingress-nginx's documented rewrite example)
//   limited.bench.test  limit-rps high enough never to be hit (the cost of the check, not of refusals)
//   ws.bench.test       the WebSocket echo pods
import { hosts } from '../lib/net.ts';
import type { Pods } from '../targets/pods.ts';
import { endpointSlice, ingress, manifest, service } from './objects.ts';

/** Requests the load generators send for each route (path as the client sends it). */
export const routeRequests = {
  plain: { host: hosts.plain, path: '/' },
  regex: { host: hosts.regex, path: '/api/items/42' },
  limited: { host: hosts.limited, path: '/' },
} as const;

export function sharedRoutes(pods: Pods): string {
  const web = pods.http.slice(0, 2);
  return manifest([
    service('web'),
    endpointSlice('web', web),
    service('ws'),
    endpointSlice('ws', pods.ws),
    ingress('plain', hosts.plain, [{ path: '/', service: 'web' }]),
    ingress('regex', hosts.regex, [{ path: '/api(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'web' }], {
      'nginx.ingress.kubernetes.io/use-regex': 'true',
      'nginx.ingress.kubernetes.io/rewrite-target': '/$2',
    }),
    // 100 000 requests/s per client address (burst 5×): the loopback load generator stays far below it.
    ingress('limited', hosts.limited, [{ path: '/', service: 'web' }], { 'nginx.ingress.kubernetes.io/limit-rps': '100000' }),
    ingress('ws', hosts.ws, [{ path: '/', service: 'ws' }]),
  ]);
}
