// WebSocket messages through the proxy: a load loop (the `ws` package; autocannon has no WebSocket mode) keeps
// one message in flight per connection and counts echoed round trips per second, direct to the echo pod, through
// nginx and through Sluice.
import { canPin } from '../lib/proc.ts';
import { hosts } from '../lib/net.ts';
import { runWsLoop } from '../load/ws-loop.ts';
import type { Scenario, Target } from '../scenario.ts';
import { runInterleaved } from '../scenario.ts';
import { nginxAndSluice } from './common.ts';

const messageBytes = 128;

export const websocketScenario: Scenario = {
  id: 'websocket',
  title: 'WebSocket messages',
  runsPerRound: 3,
  async run(context) {
    const { cleanup } = context;
    const { nginx, sluice, notes } = await nginxAndSluice(context, cleanup);
    const pod = context.pods.ws[0]!;
    const target = (name: string, base: string, pid: number | undefined): Target => ({
      name,
      ...(pid === undefined ? {} : { pid }),
      load: (durationS) => runWsLoop({ url: base.replace(/^http/, 'ws') + '/', host: hosts.ws, connections: context.options.connections, durationS, messageBytes }),
    });
    const rows = await runInterleaved(
      [target('direct', `http://${pod.address}:${pod.port}`, undefined), target('nginx', nginx.url, nginx.pid), target('sluice', sluice.url, sluice.pid)],
      context,
    );
    return {
      method: `bench/load/ws-loop-child.ts (\`ws\` client): ${context.options.connections} WebSockets, each sending a ${messageBytes}-byte binary message and waiting for its echo before the next; ` +
        'throughput is echoed messages per second, latency is per round trip. The echo pods are Node `ws` servers (nginx cannot echo), sharing CPU 0 with the loop, ' +
        'so the "direct" row is the ceiling this rig can show and the loop, not the proxy, may be the limit. ' +
        (canPin ? 'Proxies on CPU 1.' : 'Not pinned.'),
      unit: 'msg/s',
      rows,
      ratioTo: ['nginx', 'direct'],
      facts: [],
      notes,
    };
  },
};
