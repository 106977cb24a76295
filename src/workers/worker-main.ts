// Entry point of a data-plane worker thread (started by worker-pool.ts): builds the data plane, applies the
// primary's updates in order, binds the listeners after the first one, and answers drain and metrics requests.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { pino } from 'pino';
import { portLogDestination } from '../proxy/access-log/line-sink.ts';
import { startDataPlane } from './data-plane.ts';
import type { SourceUpdate } from '../model/index.ts';
import type { FromWorker, ToWorker, WorkerInit } from './messages.ts';
import { settleHeap } from './settle-heap.ts';
import { applyDelta, parseFull } from './snapshot-mirror.ts';

async function runWorker(port: MessagePort, init: WorkerInit): Promise<void> {
  const options = { level: init.config.logLevel, base: { worker: init.workerId } };
  // --access-log stdout: log lines go to the primary with the access-log blocks (line-sink.ts says why).
  const logger = init.accessLogPort === null ? pino(options) : pino(options, portLogDestination(init.accessLogPort));
  const send = (message: FromWorker): void => port.postMessage(message);
  const round = (ms: number): number => Math.round(ms * 100) / 100;

  // An exception that escapes every handler ends this thread only: the primary replaces it (worker-pool.ts) while
  // the other workers keep serving. Logged here because the primary sees only the error object.
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'worker: uncaught exception; this worker exits and is replaced');
    process.exit(1);
  });

  const plane = await startDataPlane({
    config: init.config,
    fakeCertificate: init.fakeCertificate,
    rateLimitMemory: init.rateLimitMemory,
    accessLogPort: init.accessLogPort,
    settings: init.settings,
    logger,
  });
  let listening = false;
  /** The complete update this worker serves, rebuilt from the primary's deltas (snapshot-mirror.ts). */
  let current: SourceUpdate | undefined;

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'update': {
        // A delta that does not fit what this worker holds throws (snapshot-mirror.ts): the thread exits and is
        // replaced by one that starts from the full state.
        const started = performance.now();
        if ('full' in message) current = parseFull(message.full);
        else if (current === undefined) throw new Error('worker: an update delta before the first full update');
        else current = applyDelta(current, message.delta);
        const decoded = performance.now();
        const ok = plane.apply(current, 'full' in message || message.snapshotChanged);
        // Where a change's time goes inside a worker (issue 8's change-latency investigation); debug level only.
        logger.debug({ seq: message.seq, decodeMs: round(decoded - started), applyMs: round(performance.now() - decoded) }, 'worker: update applied');
        if (!listening) {
          // Traffic is accepted only once the first complete load is compiled: an empty table would send real
          // requests to 404s. What the load left behind is collected before then (settle-heap.ts).
          listening = true;
          settleHeap();
          plane.listen(init.ports).then(
            (ports) => {
              send({ type: 'listening', ports });
              send({ type: 'applied', seq: message.seq, failedCompile: !ok });
            },
            (error: unknown) => {
              logger.fatal({ err: error, ports: init.ports }, 'worker: cannot listen');
              process.exit(1);
            },
          );
        } else {
          send({ type: 'applied', seq: message.seq, failedCompile: !ok });
        }
        return;
      }
      case 'announce-shutdown':
        plane.announceShutdown();
        return;
      case 'drain':
        void plane.drain(message.graceMs, () => send({ type: 'listeners-closed' })).then(() => send({ type: 'drained' }));
        return;
      case 'metrics':
        void plane.metrics().then((metrics) => send({ type: 'metrics', id: message.id, metrics }));
        return;
    }
  });
}

// Runs in the threads worker-pool.ts starts, whose workerData is a WorkerInit; inert anywhere else:
// bin/warm-compile-cache.mjs imports every module of src/, on its main thread and in a thread of its own.
const init = workerData as Partial<WorkerInit> | null;
if (parentPort !== null && typeof init?.workerId === 'number') await runWorker(parentPort, init as WorkerInit);
