import { Readable } from 'node:stream';

/** A stream of `bytes` zero bytes in 64 KiB chunks, produced on demand (never held in memory at once). */
export function zeros(bytes: number): Readable {
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return void this.push(null);
      const piece = bytes - sent >= chunk.length ? chunk : chunk.subarray(0, bytes - sent);
      sent += piece.length;
      this.push(piece);
    },
  });
}
