// The multi-core data plane: the primary's worker pool and, run inside each worker thread, the data plane.
export { WorkerPool, type WorkerPoolOptions } from './worker-pool.ts';
export { servedBy } from './served-by.ts';
export { nodeMetrics } from './node-metrics.ts';
export type { ListenerPorts, WorkerInit } from './messages.ts';
