// Cluster-wide limit_req: the same nginx arithmetic as leaky-bucket.ts, run atomically inside Redis by a Lua
// script, so every Sluice replica charges one bucket per (Ingress zone, client). Redis's own clock (TIME) is the
// `now` of every replica, so replicas with skewed clocks still agree.
//
// Why a script and not rate-limiter-flexible's RateLimiterRedis: that limiter counts fixed windows (INCR + PEXPIRE),
// which cannot give nginx's burst+1-then-one-per-1/rate; and its insurance limiter (RateLimiterMemory) would fall
// back to yet another algorithm. Here the fallback is NodeRateLimits, the very arithmetic of per-node mode.
// Why ioredis (rate-limiter-flexible supports it and node-redis alike): defineCommand runs a script by EVALSHA and
// reloads it after a Redis restart by itself (NOSCRIPT), commandTimeout bounds each call, and with the offline
// queue off a command fails at once while disconnected, instead of queueing behind the reconnect.
import { Redis } from 'ioredis';
import type { RateLimit } from '../../model/index.ts';

/**
 * KEYS: one bucket per limit; ARGV: rate, burst per key (nginx units). Returns {1, 0} when admitted (all buckets
 * charged), {0, retryAfterMs} when any refuses (none charged). A bucket lives until drained and idle for 60 s,
 * nginx's expiry rule, so Redis memory is bounded by the clients of the last minutes.
 */
const gcraScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local excess, last, retry, refused = {}, {}, 0, false
for i = 1, #KEYS do
  local rate, burst = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local state = redis.call('HMGET', KEYS[i], 'e', 'l')
  local e, l = 0, now
  if state[1] then
    l = tonumber(state[2])
    local ms = now - l
    if ms < -60000 then ms = 1 elseif ms < 0 then ms = 0 end
    e = tonumber(state[1]) - math.floor(rate * ms / 1000) + 1000
    if e < 0 then e = 0 end
    if e > burst then
      refused = true
      retry = math.max(retry, math.ceil((tonumber(state[1]) + 1000 - burst) * 1000 / rate) - ms)
    end
    if ms > 0 then l = now end
  end
  excess[i], last[i] = e, l
end
if refused then return {0, retry} end
for i = 1, #KEYS do
  local rate = tonumber(ARGV[2 * i - 1])
  redis.call('HSET', KEYS[i], 'e', excess[i], 'l', last[i])
  redis.call('PEXPIRE', KEYS[i], math.max(60000, math.ceil(excess[i] * 1000 / rate)))
end
return {1, 0}
`;

interface GcraClient {
  sluiceGcra(keyCount: number, ...keysAndArgs: (string | number)[]): Promise<[number, number]>;
}

export interface StoreVerdict {
  readonly admitted: boolean;
  readonly retryAfterMs: number;
}

export class RedisRateStore {
  readonly #redis: Redis;

  constructor(url: string, timeoutMs: number, onReady: () => void) {
    this.#redis = new Redis(url, {
      commandTimeout: timeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Reconnect quickly: while Redis is away every cluster-scoped request is limited per node.
      retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
    });
    this.#redis.defineCommand('sluiceGcra', { lua: gcraScript });
    this.#redis.on('ready', onReady);
    // Errors are reported through failing commands (RateLimits logs once); without a listener ioredis prints them.
    this.#redis.on('error', () => {});
  }

  /** Connected: worth asking. When not, callers fall back at once instead of paying a failed command. */
  get ready(): boolean {
    return this.#redis.status === 'ready';
  }

  async admit(limit: RateLimit, client: string): Promise<StoreVerdict> {
    const keys = limit.requests.map((request) => `sluice:rl:${request.zone}:${client}`);
    const args = limit.requests.flatMap((request) => [request.rate, request.burst]);
    const [admitted, retryAfterMs] = await (this.#redis as unknown as GcraClient).sluiceGcra(keys.length, ...keys, ...args);
    return { admitted: admitted === 1, retryAfterMs };
  }

  close(): void {
    this.#redis.disconnect();
  }
}
