// An append-only file written in blocks (line-blocks.ts), each with one blocking write(2), as nginx writes its
// access log (`access_log … buffer=…`; ingress-nginx's default has no buffer at all: one write(2) per line).
//
// Measured (one thread pinned to one core, 200,000 lines of 450 bytes, CPU per line including every thread):
// - SonicBoom (pino.destination, which did this before): 4.5 µs. It scans each line with Buffer.byteLength, then
//   encodes the whole concatenated string again on its write, which runs on libuv's thread pool.
// - Blocks written asynchronously on the thread pool: 2.5 µs with 8 KiB blocks. Handing each block to another
//   thread on the same core cost more than the write itself.
// - Blocking writes: 0.73 µs with 8 KiB blocks, 0.50 µs with 64 KiB blocks. A write(2) into the page cache takes
//   microseconds (0.25 µs per KiB at 64 KiB blocks), which is why nginx blocks on it too.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { LineBlocks } from './line-blocks.ts';

export class BufferedFile {
  readonly #fd: number;
  readonly #blocks = new LineBlocks((bytes) => this.#writeOut(bytes), { reuse: true });
  /** The first write error: reported once, then lines are dropped (a full or read-only disk must not stop serving). */
  #failed = false;
  readonly #onError: (error: Error) => void;

  /** Opens (creates) `path` for appending at once: a path that can't be written fails the start, not a request. */
  constructor(path: string, onError: (error: Error) => void) {
    this.#onError = onError;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a');
  }

  write(line: string): void {
    if (!this.#failed) this.#blocks.write(line);
  }

  /** Writes what is buffered (the periodic flush, and before close). */
  flush(): void {
    if (!this.#failed) this.#blocks.flush();
  }

  /** Writes what is buffered, then closes the file. */
  close(): void {
    this.flush();
    closeSync(this.#fd);
  }

  /** write(2) may take less than asked (a full disk, a signal): the rest follows until all is written. */
  #writeOut(bytes: Buffer): void {
    try {
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(this.#fd, bytes, offset);
    } catch (error) {
      this.#failed = true;
      this.#onError(error as Error);
    }
  }
}
