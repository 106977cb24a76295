// Where access-log lines go. A file: every worker thread appends to it with its own BufferedFile (O_APPEND
// makes each write(2) land whole, whatever its size). Standard output is usually a pipe, where only writes of at
// most PIPE_BUF (4 KiB) are atomic: two threads writing 8 KiB buffers would interleave halves of lines. So with
// worker threads, stdout lines travel to the primary in batches (one postMessage per 8 KiB or per second) and the
// primary is stdout's only writer.
import type { MessagePort } from 'node:worker_threads';
import pino from 'pino';
import { BufferedFile } from './buffered-file.ts';

export interface LineSink {
  write(text: string): void;
  /** Writes out what is buffered; resolves once written (shutdown). */
  close(): Promise<void>;
}

/** Standard output's batches (8 KiB, as nginx's `access_log … buffer=8k`) and every sink's flush period. */
const bufferBytes = 8192;
const flushMs = 1000;

/** A file every worker thread appends to with its own BufferedFile. `onError`: a write failed; later lines are dropped. */
export function fileSink(path: string, onError: (error: Error) => void): LineSink {
  const file = new BufferedFile(path, onError);
  const timer = setInterval(() => file.flush(), flushMs);
  timer.unref();
  return {
    write: (text) => file.write(text),
    close: async () => {
      clearInterval(timer);
      file.close();
    },
  };
}

/** File descriptor 1, written by the primary alone: SonicBoom, which copes with a full or non-blocking pipe. */
export function stdoutSink(): LineSink {
  const out = pino.destination({ dest: 1, sync: false, minLength: bufferBytes, periodicFlush: flushMs });
  return {
    write: (text) => void out.write(text),
    close: () =>
      new Promise((resolve) => {
        out.once('close', () => resolve());
        out.end();
      }),
  };
}

/** A worker thread's lines for stdout, batched to the primary (see relayLines). */
export function portSink(port: MessagePort): LineSink {
  let batch = '';
  const send = (): void => {
    if (batch === '') return;
    port.postMessage(batch);
    batch = '';
  };
  const timer = setInterval(send, flushMs);
  timer.unref();
  return {
    write(text) {
      batch += text;
      if (batch.length >= bufferBytes) send();
    },
    async close() {
      clearInterval(timer);
      send();
      port.close();
    },
  };
}

/**
 * The primary's end: writes every batch a worker sends to `sink` (whole batches, from one thread). Resolves when
 * the worker closed its end (its last batch sent) or its thread ended.
 */
export function relayLines(port: MessagePort, sink: LineSink): Promise<void> {
  port.on('message', (batch: string) => sink.write(batch));
  port.unref();
  return new Promise((resolve) => port.once('close', () => resolve()));
}
