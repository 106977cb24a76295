// What the primary thread and the data-plane worker threads say to each other (structured-clone data only).
// The primary owns the sources; a worker owns listeners, routing table, pools and counters. Updates flow one
// way, in order; every update is acknowledged so the primary can say "installed" only once every worker serves it.
import type { GatewayConfig } from '../cli/options.ts';
import type { SettingValues } from '../model/index.ts';
import type { IndexedCertificate } from '../tls/index.ts';
import type { MessagePort } from 'node:worker_threads';
import type { UpdateDelta } from './update-delta.ts';

export interface ListenerPorts {
  readonly http: number;
  readonly https: number;
}

/** workerData of a data-plane thread. */
export interface WorkerInit {
  readonly workerId: number;
  readonly config: GatewayConfig;
  /** Generated once by the primary, so every worker presents the same fake certificate. */
  readonly fakeCertificate: IndexedCertificate;
  /** The node's rate-limit memory (src/proxy/rate-limit/shared-buckets.ts), the same buffer in every worker. */
  readonly rateLimitMemory: SharedArrayBuffer;
  /** Ports to bind with SO_REUSEPORT; 0 asks the OS (only the first worker does, the others join its ports). */
  readonly ports: ListenerPorts;
  /** The settings in effect on the node now (the primary's table): a replacement worker starts from them. */
  readonly settings: SettingValues | undefined;
  /** --access-log stdout: lines go to the primary through this port (src/proxy/access-log/line-sink.ts). */
  readonly accessLogPort: MessagePort | null;
}

export type ToWorker =
  /**
   * A source update in full: the JSON of the whole SourceUpdate, for a worker's first update (a replacement's
   * included). JSON, not a structured clone: it is plain data, and a 10 000-Ingress snapshot takes ≈27 ms to
   * stringify once plus ≈28 ms to parse in each worker, against ≈104 ms to structured-clone it per worker
   * (measured, Node 24). The worker compiles it.
   */
  | { readonly type: 'update'; readonly seq: number; readonly full: string }
  /**
   * Every later source update: only what changed since the previous one (update-delta.ts), structured-cloned
   * (a few objects: no JSON round trip to pay for), which the worker applies to the update it holds
   * (snapshot-mirror.ts). `snapshotChanged`: compile (the primary's route updater decided, as it does for its
   * own compile; true with an empty delta retries a compile that failed).
   */
  | { readonly type: 'update'; readonly seq: number; readonly delta: UpdateDelta; readonly snapshotChanged: boolean }
  /** SIGTERM: readiness is failing; answer with `Connection: close` / GOAWAY from now on. */
  | { readonly type: 'announce-shutdown' }
  /** Stop accepting (reply 'listeners-closed' at once), let in-flight work finish up to graceMs, reply 'drained'. */
  | { readonly type: 'drain'; readonly graceMs: number }
  | { readonly type: 'metrics'; readonly id: number };

export type FromWorker =
  /** After the first update is applied and both listeners are bound. */
  | { readonly type: 'listening'; readonly ports: ListenerPorts }
  | { readonly type: 'applied'; readonly seq: number; readonly failedCompile: boolean }
  | { readonly type: 'listeners-closed' }
  | { readonly type: 'drained' }
  /** prom-client getMetricsAsJSON() of the worker's data-plane registry; null when metrics are off. */
  | { readonly type: 'metrics'; readonly id: number; readonly metrics: unknown[] | null };
