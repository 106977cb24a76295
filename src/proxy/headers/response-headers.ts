// The header list the client receives from a pod's response: hop-by-hop headers removed, and the pod's Date
// and Server replaced by Sluice's (nginx's default proxy_hide_header for both; it also keeps the pod's software
// and version from leaking). Date is added by node:http, which caches the string per second.
import { addConnectionTokens, isHopByHop, removeHeaders } from './hop-by-hop.ts';

export const serverName = 'sluice';

/** `raw` is undici's rawHeaders (Buffers for HTTP/1.1, latin1 as on the wire) or node:http's (strings). */
export function buildResponseHeaders(raw: readonly (Buffer | string)[]): string[] {
  const out: string[] = [];
  let listed: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = text(raw[i]!);
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      addConnectionTokens(text(raw[i + 1]!), (listed ??= []));
      continue;
    }
    if (lower === 'date' || lower === 'server' || isHopByHop(lower)) continue;
    out.push(name, text(raw[i + 1]!));
  }
  if (listed !== undefined) removeHeaders(out, listed);
  out.push('Server', serverName);
  return out;
}

function text(value: Buffer | string): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}
