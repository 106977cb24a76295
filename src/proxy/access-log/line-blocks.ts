// Access-log lines gathered into blocks of bytes: each line is encoded (UTF-8) straight into the current block, and
// a block is handed on once it holds 64 KiB, or when flush() is called (every second, and at close). The blocks go
// to a file (buffered-file.ts) or, for standard output, to the primary thread (line-sink.ts).
//
// Why encode here rather than join strings: the line is scanned and copied once, into memory that is reused (a
// file) or handed over without a copy (a transferred ArrayBuffer). The measurements are in buffered-file.ts.

/** A block is handed on once it holds this much. 64 KiB blocks cost 0.25 µs per KiB to write(2), 8 KiB ones 0.68. */
const blockBytes = 64 * 1024;
/** The most a line's UTF-16 code units can take in UTF-8 (a lone surrogate: 3 bytes; a pair: 4 bytes for 2). */
const maxUtf8PerUnit = 3;

export class LineBlocks {
  #block = newBlock();
  #used = 0;
  readonly #onBlock: (bytes: Buffer) => void;
  readonly #reuse: boolean;

  /**
   * `onBlock` receives each block's bytes. With `reuse`, it must be done with them when it returns (a blocking
   * write): the memory is filled again. Without, the block is the receiver's (to transfer to another thread).
   */
  constructor(onBlock: (bytes: Buffer) => void, { reuse }: { reuse: boolean }) {
    this.#onBlock = onBlock;
    this.#reuse = reuse;
  }

  write(line: string): void {
    if (line.length * maxUtf8PerUnit > this.#block.length - this.#used) {
      this.flush();
      // A line longer than a whole block (a 50 KiB URL, say) is a block of its own.
      if (line.length * maxUtf8PerUnit > this.#block.length) return this.#onBlock(encodeAlone(line));
    }
    this.#used += this.#block.write(line, this.#used);
    if (this.#used >= blockBytes) this.flush();
  }

  /** Hands on what is gathered, if anything. */
  flush(): void {
    if (this.#used === 0) return;
    const bytes = this.#block.subarray(0, this.#used);
    this.#used = 0;
    if (!this.#reuse) this.#block = newBlock();
    this.#onBlock(bytes);
  }
}

/**
 * Twice the block size, so a line that fits never overflows it; each its own ArrayBuffer (allocUnsafeSlow, not
 * Buffer's shared pool), so a block can be transferred.
 */
function newBlock(): Buffer {
  return Buffer.allocUnsafeSlow(blockBytes * 2);
}

function encodeAlone(line: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(line));
  bytes.write(line);
  return bytes;
}
