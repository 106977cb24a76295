// X-Request-ID values: 32 lower-case hex characters, like nginx's $request_id (16 random bytes).
// One randomFillSync() per 256 ids instead of one crypto call per request: the syscall and the Buffer
// allocation are what cost, not the hex formatting.
import { randomFillSync } from 'node:crypto';

const idBytes = 16;
const pool = Buffer.allocUnsafe(idBytes * 256);
let offset = pool.length;

export function generateRequestId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + idBytes);
  offset += idBytes;
  return id;
}
