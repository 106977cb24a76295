// What one load run reports, whatever generated the load.
export interface LoadResult {
  /** Requests (or WebSocket round trips) per second over the run. */
  readonly reqPerSec: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** When the generator reports it (wrk via its Lua script, the WebSocket loop; autocannon in whole ms). */
  readonly p999Ms: number | undefined;
  /** Non-2xx responses + socket errors and timeouts: must be 0 everywhere. */
  readonly errors: number;
  /** The exact command (or autocannon options) of the run, for RESULTS.md. */
  readonly command: string;
}

/** Shell-quotes an argument list for display. */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
