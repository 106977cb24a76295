// Host-name rules shared by the plan (does a certificate cover a host?) and the SNI lookup (which index entry
// serves a server name?). Both use the same single-label wildcard rule as RFC 6125 §6.4.3 and ingress-nginx:
// `*.example.com` covers `a.example.com`, never `example.com` nor `a.b.example.com`.

/** The wildcard form that could cover `host` (`a.example.com` → `*.example.com`); null for a bare label. */
export function wildcardOf(host: string): string | null {
  const dot = host.indexOf('.');
  // A wildcard must keep at least two labels after the star (`*.com` is never a valid certificate name).
  if (dot <= 0 || host.indexOf('.', dot + 1) === -1) return null;
  return `*${host.slice(dot)}`;
}

/** True when one of the certificate's DNS names matches `host` exactly or by single-label wildcard. */
export function namesCover(names: readonly string[], host: string): boolean {
  if (names.includes(host)) return true;
  const wildcard = host.startsWith('*.') ? null : wildcardOf(host);
  return wildcard !== null && names.includes(wildcard);
}

/** SNI as sent is case-insensitive and may carry a trailing dot; the index keys are plain lower case. */
export function normalizeServerName(servername: string): string {
  const lower = servername.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
