// Validation the Kubernetes API server applies to Ingress hosts and paths (kubernetes/kubernetes
// pkg/apis/networking/validation/validation.go: validateIngressRules, validateHTTPIngressPath). Objects from the
// API have passed it already; objects from manifest files have not, so compile re-checks and reports instead of
// serving something the API would have refused. Compile time only: regexes here never run per request.

const dns1123Label = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123Subdomain = new RegExp(`^${dns1123Label}(\\.${dns1123Label})*$`);
const wildcardSubdomain = new RegExp(`^\\*\\.${dns1123Label}(\\.${dns1123Label})*$`);
const maxSubdomainLength = 253;
const wildcardRule = "a wildcard must be '*.' followed by a DNS-1123 subdomain ('*' is the whole first label)";
const subdomainRule = "it is not a DNS-1123 subdomain (a-z, 0-9, '-' and '.'; labels start and end alphanumeric)";
const ipv4Sloppy = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export type HostCheck =
  | { readonly ok: true; readonly host: string }
  | { readonly ok: false; readonly message: string };

/**
 * A rule host, lower-cased (hosts are case-insensitive, and the API's DNS-1123 check only accepts lower case, so
 * lower-casing first accepts `Foo.com` as the same host as `foo.com` rather than rejecting it).
 */
export function checkHost(raw: string): HostCheck {
  const host = raw.toLowerCase();
  if (host.includes(':')) return fail(raw, 'it has a port (or is an IPv6 address)');
  if (isIPv4(host)) return fail(raw, 'it is an IP address; a DNS name is required');
  if (host.length > maxSubdomainLength) return fail(raw, `it is longer than ${maxSubdomainLength} characters`);
  if (host.startsWith('*')) {
    if (!wildcardSubdomain.test(host)) return fail(raw, wildcardRule);
    return { ok: true, host };
  }
  if (!dns1123Subdomain.test(host)) {
    return fail(raw, subdomainRule);
  }
  return { ok: true, host };
}

function fail(raw: string, why: string): HostCheck {
  return { ok: false, message: `invalid host ${JSON.stringify(raw)}: ${why}` };
}

/** Like Go's netutils.ParseIPSloppy for IPv4: leading zeros allowed, each part at most 255. */
function isIPv4(host: string): boolean {
  const parts = ipv4Sloppy.exec(host);
  return parts !== null && parts.slice(1).every((part) => Number(part) <= 255);
}

const pathTypes: ReadonlySet<string> = new Set(['Exact', 'Prefix', 'ImplementationSpecific']);
const invalidSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidSuffixes = ['/..', '/.'];

export interface PathProblem {
  readonly field: 'path' | 'pathType';
  readonly message: string;
}

/** Why an HTTPIngressPath is invalid, naming the offending field; null when valid. */
export function checkPath(path: string, pathType: string): PathProblem | null {
  if (!pathTypes.has(pathType)) {
    const message = `pathType ${JSON.stringify(pathType)} must be Exact, Prefix or ImplementationSpecific`;
    return { field: 'pathType', message };
  }
  if (pathType === 'ImplementationSpecific') {
    if (path !== '' && !path.startsWith('/')) return { field: 'path', message: badPath(path, 'must start with /') };
    return null;
  }
  if (!path.startsWith('/')) {
    return { field: 'path', message: badPath(path, `must start with / for pathType ${pathType}`) };
  }
  const sequence = invalidSequences.find((s) => path.includes(s));
  if (sequence !== undefined) return { field: 'path', message: badPath(path, `must not contain '${sequence}'`) };
  const suffix = invalidSuffixes.find((s) => path.endsWith(s));
  if (suffix !== undefined) return { field: 'path', message: badPath(path, `must not end with '${suffix}'`) };
  return null;
}

function badPath(path: string, why: string): string {
  return `path ${JSON.stringify(path)} ${why}`;
}
