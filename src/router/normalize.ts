// Request normalisation applied before route lookup, as nginx does before location matching (reference §2.1;
// nginx ngx_http_parse_complex_uri with the default merge_slashes on). Without it `/public/../admin`,
// `/%61dmin` or `//admin` would reach a backend by a rule that is not the `/admin` rule. The proxy still sends
// the original request target upstream; only route selection uses the normalised path.
//
// Both functions run for every request, so the common case (an already normal value) returns the input string
// itself after one charCodeAt scan: no allocation.

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const COLON = 0x3a;

/**
 * Decodes %XX, merges duplicate slashes and resolves `.`/`..` segments. Returns null for input the caller must
 * answer with 400: not starting with '/', an invalid %-escape, a NUL (raw or decoded), or `..` above the root.
 * Decoding happens before dot/slash handling, as in nginx, so `%2e%2e` and `%2f` act as `..` and `/`.
 */
export function normalizeRequestPath(rawPathWithoutQuery: string): string | null {
  const raw = rawPathWithoutQuery;
  if (raw.charCodeAt(0) !== SLASH) return null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === PERCENT || c === 0 || c >= 0x80) return normalizeSlow(raw);
    if (c === SLASH) {
      const next = raw.charCodeAt(i + 1);
      if (next === SLASH || next === DOT) return normalizeSlow(raw);
    }
  }
  return raw;
}

function normalizeSlow(raw: string): string | null {
  const decoded = percentDecode(raw);
  return decoded === null ? null : removeDotSegments(decoded);
}

const utf8 = new TextDecoder('utf-8'); // not fatal: invalid UTF-8 becomes U+FFFD, which no rule path equals
const utf8Encoder = new TextEncoder();

function percentDecode(raw: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === PERCENT) {
      const high = hexValue(raw.charCodeAt(i + 1));
      const low = hexValue(raw.charCodeAt(i + 2));
      if (high < 0 || low < 0) return null;
      const byte = high * 16 + low;
      if (byte === 0) return null;
      bytes.push(byte);
      i += 2;
    } else if (c === 0) {
      return null;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Node's HTTP parser refuses raw non-ASCII bytes in the target; a caller passing a Unicode string gets
      // it treated as its UTF-8 encoding, the same bytes a client would have %-encoded.
      const codePoint = raw.codePointAt(i)!;
      for (const byte of utf8Encoder.encode(String.fromCodePoint(codePoint))) bytes.push(byte);
      if (codePoint > 0xffff) i++;
    }
  }
  return utf8.decode(Uint8Array.from(bytes));
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** RFC 3986 remove_dot_segments plus slash merging; `..` above the root is an error (nginx answers 400). */
function removeDotSegments(path: string): string | null {
  const segments: string[] = [];
  let start = 1; // path[0] is '/'
  let lastSegment = '';
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const segment = path.slice(start, end);
    if (segment === '..') {
      if (segments.length === 0) return null;
      segments.pop();
    } else if (segment !== '' && segment !== '.') {
      segments.push(segment);
    }
    lastSegment = segment;
    start = end + 1;
  }
  // `/a/`, `/a/.` and `/a/b/..` all name the directory `/a/`: keep the trailing slash.
  const directory = segments.length > 0 && (lastSegment === '' || lastSegment === '.' || lastSegment === '..');
  return `/${segments.join('/')}${directory ? '/' : ''}`;
}

/**
 * Host header → the name servers are indexed by: lower case, without `:port` (also `[v6]:port` → `[v6]`), and
 * without one trailing dot (`foo.com.` is the same name).
 */
export function normalizeHost(hostHeader: string): string {
  const host = hostHeader;
  const last = host.length - 1;
  if (host.charCodeAt(last) === DOT) return normalizeHostSlow(host);
  // An IPv6 literal has colons inside its brackets; it is normal iff `]` ends it.
  const from = host.charCodeAt(0) === 0x5b ? host.indexOf(']') : 0;
  if (from === -1 || (from > 0 && from !== last)) return normalizeHostSlow(host);
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a) || (c === COLON && i > from)) return normalizeHostSlow(host);
  }
  return host;
}

function normalizeHostSlow(hostHeader: string): string {
  let host = hostHeader;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end !== -1) host = host.slice(0, end + 1);
  } else {
    const colon = host.indexOf(':');
    if (colon !== -1) host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host.toLowerCase();
}
