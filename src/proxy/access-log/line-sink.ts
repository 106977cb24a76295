// Where access-log lines go. A file: every worker thread appends to it with its own BufferedFile (O_APPEND
// makes each write(2) land whole, whatever its size). Standard output is usually a pipe, where only writes of at
// most PIPE_BUF (4 KiB) are atomic: two threads writing 64 KiB blocks would interleave parts of lines. So with
// worker threads, stdout lines travel to the primary in blocks (line-blocks.ts: one transferred ArrayBuffer per
// 64 KiB or per second, no copy) and the primary is stdout's only writer. The log lines too: with
// `--access-log stdout` the primary's logger writes through the same writer, and the workers' loggers send theirs
// over the same port. A log line written to fd 1 on its own, atomic as it is, could land between two parts of a
// block the pipe took in pieces, and cut an access-log line in two (test/e2e/workers.test.ts caught it under load).
//
// Measured with one worker under wrk (CPU per request, all threads): stdout lines sent as 8 KiB strings and
// written by the primary's SonicBoom in its text mode cost 60 µs per request against 49 without the log; the
// primary alone spent 2.8 µs per request.
import { writeSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import pino from 'pino';
import { BufferedFile } from './buffered-file.ts';
import { LineBlocks } from './line-blocks.ts';

export interface LineSink {
  write(text: string): void;
  /** Writes out what is buffered; resolves once written (shutdown). */
  close(): Promise<void>;
}

/** The primary's writer of standard output: blocks of whole lines from the workers. */
export interface BlockSink {
  write(bytes: Uint8Array): void;
  /** Writes out what is queued; resolves once written (shutdown). */
  close(): Promise<void>;
}

/** nginx's `access_log … flush=1s`: a partial block waits at most this long. */
const flushMs = 1000;

/** A file every worker thread appends to with its own BufferedFile. `onError`: a write failed; later lines are dropped. */
export function fileSink(path: string, onError: (error: Error) => void): LineSink {
  const file = new BufferedFile(path, onError);
  return periodicallyFlushed(file, async () => file.close());
}

/** A worker thread's lines for stdout, in blocks to the primary (see relayLines). */
export function portSink(port: MessagePort): LineSink {
  const blocks = new LineBlocks((bytes) => port.postMessage(bytes, [bytes.buffer as ArrayBuffer]), { reuse: false });
  return periodicallyFlushed(blocks, async () => {
    blocks.flush();
    closedPorts.add(port);
    port.close();
  });
}

/** Where pino writes a log line. */
export interface LogDestination {
  write(line: string): void;
}

/** --access-log stdout, on the primary: fd 1's one writer, for the relayed blocks and for the log lines. */
export interface StdoutWriter extends BlockSink {
  /** The primary logger's destination. */
  readonly logDestination: LogDestination;
  /** Writes out what is queued before the process exits on a fatal error (best effort). */
  flushSync(): void;
}

/**
 * File descriptor 1, written by the primary alone: SonicBoom, which copes with a full or non-blocking pipe. After
 * close() (shutdown, once every worker's last block is in) log lines still come: they wait for the last write and
 * are then written directly.
 */
export function stdoutWriter(): StdoutWriter {
  const out = pino.destination({ dest: 1, sync: false, contentMode: 'buffer' });
  // In its buffer mode SonicBoom's write() takes Buffers; pino's types declare only the text mode's string.
  const write = out.write.bind(out) as unknown as (bytes: Buffer) => boolean;
  let state: 'open' | 'closing' | 'closed' = 'open';
  const late: string[] = [];
  return {
    write: (bytes) => {
      if (state === 'open') write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
    logDestination: {
      write: (line) => {
        if (state === 'open') write(Buffer.from(line));
        else if (state === 'closing') late.push(line);
        else writeSync(1, line);
      },
    },
    flushSync: () => {
      try {
        out.flushSync();
      } catch {
        // SonicBoom refuses while a write is in flight; on the way out nothing better can be done.
      }
    },
    close: () =>
      new Promise((resolve) => {
        state = 'closing';
        out.once('close', () => {
          state = 'closed';
          for (const line of late.splice(0)) writeSync(1, line);
          resolve();
        });
        out.end();
      }),
  };
}

/** Ports whose worker end was closed by its portSink: later log lines of the worker go to fd 1 directly. */
const closedPorts = new WeakSet<MessagePort>();

/**
 * A worker's log lines with --access-log stdout: to the primary over the access-log port, one message per line
 * (its own ArrayBuffer, transferred), written by the primary between whole blocks.
 */
export function portLogDestination(port: MessagePort): LogDestination {
  const encoder = new TextEncoder();
  return {
    write: (line) => {
      if (closedPorts.has(port)) {
        writeSync(1, line);
        return;
      }
      const bytes = encoder.encode(line);
      port.postMessage(bytes, [bytes.buffer]);
    },
  };
}

/**
 * The primary's end: writes every block a worker sends to `sink` (whole blocks, from one thread). Resolves when
 * the worker closed its end (its last block sent) or its thread ended.
 */
export function relayLines(port: MessagePort, sink: BlockSink): Promise<void> {
  port.on('message', (bytes: Uint8Array) => sink.write(bytes));
  port.unref();
  return new Promise((resolve) => port.once('close', () => resolve()));
}

function periodicallyFlushed(lines: { write(line: string): void; flush(): void }, close: () => Promise<void>): LineSink {
  const timer = setInterval(() => lines.flush(), flushMs);
  timer.unref();
  return {
    write: (line) => lines.write(line),
    close: () => {
      clearInterval(timer);
      return close();
    },
  };
}
