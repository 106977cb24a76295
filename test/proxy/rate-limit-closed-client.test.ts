// A cluster-scoped limit waits on the store; a client that leaves meanwhile must not keep a limit-connections
// slot. The store is Sluice's own interface (RedisRateStore), so a double that answers when told stands in for a
// slow Redis; the request, the response and the client's disconnect are real node:http.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimit } from '../../src/model/index.ts';
import { defaultGlobalSettings } from '../../src/model/index.ts';
import { RateLimits, httpLimitOutlet } from '../../src/proxy/rate-limit/rate-limit-stage.ts';
import type { RedisRateStore, StoreVerdict } from '../../src/proxy/rate-limit/redis-store.ts';
import { rateLimitFeature } from '../../src/router/annotations/rate-limit-feature.ts';

const meta = { namespace: 'ns', name: 'ing', uid: 'u1', resourceVersion: '', creationTimestamp: '', annotations: {}, labels: {} };
const limit: RateLimit = {
  ...rateLimitFeature(meta, { rps: 100, rpm: 0, connections: 1, burstMultiplier: 5, allowlist: [] }),
  scope: 'cluster',
};

/** A store whose answers wait until the test settles them. */
class SlowStore {
  readonly ready = true;
  readonly pending: { resolve: (v: StoreVerdict) => void; reject: (e: Error) => void }[] = [];
  admit(): Promise<StoreVerdict> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function setup(store: SlowStore): Promise<{ port: number; closed: Promise<void> }> {
  const limits = new RateLimits({ store: store as unknown as RedisRateStore });
  let firstClosed!: () => void;
  const closed = new Promise<void>((resolve) => (firstClosed = resolve));
  server = createServer((_req, res) => {
    res.once('close', firstClosed);
    // Admitted requests stay open for a moment, as a request in progress would.
    if (limits.enforce(limit, '10.0.0.1', res, httpLimitOutlet, () => res.end('ok'), defaultGlobalSettings)) res.end('ok');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server!.address() as AddressInfo).port, closed };
}

function get(port: number): { status: Promise<number>; abort: () => void } {
  const req = request({ host: '127.0.0.1', port, path: '/', agent: false });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)));
    req.on('error', reject);
  });
  req.end();
  return { status, abort: () => req.destroy() };
}

const tick = (ms = 50): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('cluster-scoped limit, client gone while the store answers', () => {
  for (const answer of ['admitted', 'store failed (per-node fallback)'] as const) {
    it(`${answer}: no connection slot is kept, so the client's next request is admitted`, async () => {
      const store = new SlowStore();
      const { port, closed } = await setup(store);
      const gone = get(port);
      gone.status.catch(() => undefined);
      await tick();
      gone.abort();
      await closed; // the server saw the client leave before the store answered
      const first = store.pending.shift()!;
      if (answer === 'admitted') first.resolve({ admitted: true, retryAfterMs: 0 });
      else first.reject(new Error('timeout'));
      await tick();

      const next = get(port);
      await tick();
      store.pending.shift()!.resolve({ admitted: true, retryAfterMs: 0 });
      expect(await next.status).toBe(200);
    });
  }
});
