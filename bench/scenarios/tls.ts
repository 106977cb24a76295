// New connections per second over HTTP and HTTPS (each HTTPS one a full TLS handshake), with HTTPS keep-alive
// as the reference. wrk, not autocannon: a handshake costs the client side too, and autocannon's (JavaScript
// TLS on the load core) would limit the rate before Sluice does; wrk's is OpenSSL in C.
import { canPin } from '../lib/proc.ts';
import type { Scenario } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { sluiceOnSharedRoutes, wrkTarget } from './common.ts';

const close = ['Connection: close'];

export const tlsScenario: Scenario = {
  id: 'tls',
  title: 'TLS: keep-alive and new handshakes',
  runsPerRound: 3,
  async run(context) {
    const { cleanup } = context;
    const sluice = await sluiceOnSharedRoutes(context, cleanup, 0);
    const rows = await runInterleaved(
      [
        wrkTarget(context, 'https keep-alive', sluice.secureUrl, sluice.pid),
        wrkTarget(context, 'http, new connection', sluice.url, sluice.pid, { headers: close }),
        wrkTarget(context, 'https, new handshake', sluice.secureUrl, sluice.pid, { headers: close }),
      ],
      context,
    );
    return {
      method: `wrk, 1 thread, ${context.options.connections} connections; "new" rows send \`Connection: close\`, so every request opens a TCP connection and, over HTTPS, ` +
        'does a full TLS handshake (wrk resumes no sessions); the HTTPS certificate is the generated RSA-2048 one (wrk sends no SNI for an IP). ' +
        (canPin ? 'Sluice on CPU 1, wrk and pods on CPU 0.' : 'Not pinned.'),
      unit: 'req/s',
      rows,
      ratioTo: ['https keep-alive'],
      facts: [],
    };
  },
};
