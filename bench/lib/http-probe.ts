// Single requests with a chosen Host header over a keep-alive connection (fetch cannot set Host), and polling
// until an answer shows that a change is served.
import { Agent, request } from 'node:http';
import { sleep } from './proc.ts';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

export interface ProbeAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
}

export function probe(baseUrl: string, host: string, path = '/'): Promise<ProbeAnswer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path: url.pathname, headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls every `intervalMs` until `served` accepts an answer; resolves with the epoch ms at which that answer
 * arrived. Throws after `timeoutMs`.
 */
export async function pollUntilServed(baseUrl: string, host: string, served: (a: ProbeAnswer) => boolean, timeoutMs = 15_000, intervalMs = 1): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe(baseUrl, host).catch(() => undefined);
    const now = Date.now();
    if (answer && served(answer)) return now;
    if (now > deadline) throw new Error(`${host} on ${baseUrl}: change not served after ${timeoutMs} ms (last status ${answer?.status})`);
    await sleep(intervalMs);
  }
}
