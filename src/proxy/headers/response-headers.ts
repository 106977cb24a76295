// The header list the client receives from a pod's response: hop-by-hop headers removed, and the pod's Date
// and Server replaced by Sluice's (nginx's default proxy_hide_header for both; it also keeps the pod's software
// and version from leaking). Date is added by node:http, which caches the string per second.
import { addConnectionTokens, isHopByHop, removeHeaders } from './hop-by-hop.ts';

export const serverName = 'sluice';

/** `raw`: the pod's header fields as node's parser hands them over (upstream-connection.ts), [name, value, …]. */
export function buildResponseHeaders(raw: readonly string[]): string[] {
  const out: string[] = [];
  let listed: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      addConnectionTokens(raw[i + 1]!, (listed ??= []));
      continue;
    }
    if (lower === 'date' || lower === 'server' || isHopByHop(lower)) continue;
    out.push(name, raw[i + 1]!);
  }
  if (listed !== undefined) removeHeaders(out, listed);
  out.push('Server', serverName);
  return out;
}
