// %-encoding shared by the router (location names) and the proxy (rewritten targets, redirect Locations).

/** `%XX` (upper-case hex) for each byte. */
export function percentEncoded(bytes: Iterable<number>): string {
  let out = '';
  for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

const uriUnsafe = /[\x00-\x20#%?\x7f-\u{10ffff}]/u;
const uriUnsafeAll = /[\x00-\x20#%?\x7f-\u{10ffff}]/gu;

/** ngx_escape_uri NGX_ESCAPE_URI: control characters, space, '#', '%', '?', DEL and non-ASCII (as UTF-8). */
export function escapeUri(path: string): string {
  if (!uriUnsafe.test(path)) return path;
  return path.replace(uriUnsafeAll, (c) => percentEncoded(Buffer.from(c, 'utf8')));
}
