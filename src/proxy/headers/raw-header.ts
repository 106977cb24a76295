// Lookups in node's flat req.rawHeaders ([name, value, …], names in the client's case) without materialising a
// header object: the length check skips most names before any lower-casing.

/** Index (of the name) of the first header named `lowerName` at or after `from`, or -1. */
export function rawHeaderIndex(raw: readonly string[], lowerName: string, from = 0): number {
  for (let i = from; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return i;
  }
  return -1;
}

/** The value of the first header named `lowerName` (lower case), or '' when there is none. */
export function rawHeaderValue(raw: readonly string[], lowerName: string): string {
  const i = rawHeaderIndex(raw, lowerName);
  return i === -1 ? '' : raw[i + 1]!;
}
