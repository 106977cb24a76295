// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the message: a proxy must not forward them
// either way. `Proxy-Connection` and `Keep-Alive` are legacy ones still sent by old clients.

/** Lower-case names of the fixed hop-by-hop set. `Connection` itself is handled by the callers. */
export function isHopByHop(lowerName: string): boolean {
  switch (lowerName) {
    case 'keep-alive':
    case 'proxy-connection':
    case 'te':
    case 'trailer':
    case 'transfer-encoding':
    case 'upgrade':
      return true;
    default:
      return false;
  }
}

/**
 * Adds the header names a `Connection` value lists (RFC 9110 §7.6.1: "the connection options") to `into`,
 * lower-cased. `close`, `keep-alive` and `upgrade` are skipped: they are options, not names we must hunt for.
 */
export function addConnectionTokens(value: string, into: string[]): void {
  // Nearly every request says just `keep-alive` or `close`: skip the split (it showed in the profile).
  const lower = value.length <= 10 ? value.toLowerCase() : '';
  if (lower === 'keep-alive' || lower === 'close') return;
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token === '' || token === 'close' || token === 'keep-alive' || token === 'upgrade') continue;
    into.push(token);
  }
}

/** Removes from a flat [name, value, …] list every header whose lower-cased name is in `names`. In place. */
export function removeHeaders(flat: string[], names: readonly string[]): void {
  let write = 0;
  for (let read = 0; read < flat.length; read += 2) {
    if (names.includes(flat[read]!.toLowerCase())) continue;
    flat[write] = flat[read]!;
    flat[write + 1] = flat[read + 1]!;
    write += 2;
  }
  flat.length = write;
}
