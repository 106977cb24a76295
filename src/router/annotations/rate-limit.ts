// limit-rps, limit-rpm, limit-connections, limit-burst-multiplier, limit-allowlist (ingress-nginx
// internal/ingress/annotations/ratelimit/main.go; reference §2.2). The values are read here; rate-limit-feature.ts
// turns them into the route's RateLimit, and proxy/rate-limit/ enforces it.
import { isIP } from 'node:net';
import { accept, refuse, reported, type AnnotationDescriptor, type Parsed } from './descriptor.ts';
import type { AnnotationSource } from './source.ts';
import { parseGoInt, quote } from './values.ts';

export interface RateLimitAnnotations {
  /** 0 = off, as ingress-nginx's buildRateLimit only emits a directive for a limit > 0. */
  readonly rps: number;
  readonly rpm: number;
  readonly connections: number;
  readonly burstMultiplier: number;
  /** CIDRs (a bare address is a /32 or /128), as written. */
  readonly allowlist: readonly string[];
}

/** ratelimit/main.go defBurst. */
export const defaultBurstMultiplier = 5;

const group = 'RateLimit';

function limitDescriptor(name: string, doc: string): AnnotationDescriptor<number> {
  // The annotation's validator is ValidateInt: a non-integer is a validation error, which rejects the Ingress.
  return { name, aliases: [], group, scope: 'location', risk: 'Low', status: 'supported', difference: '', doc,
    parse: (raw) => parseGoInt(raw.trim(), 'reject') };
}

export const limitRps = limitDescriptor('limit-rps', 'Requests per second per client address; burst+1 pass at once, then 503.');
export const limitRpm = limitDescriptor('limit-rpm', 'Requests per minute per client address.');
export const limitConnections = limitDescriptor('limit-connections', 'Concurrent requests in progress per client address.');

export const limitBurstMultiplier: AnnotationDescriptor<number> = {
  name: 'limit-burst-multiplier', aliases: [], group, scope: 'location', risk: 'Low', status: 'supported', difference: '',
  doc: 'Burst = limit × multiplier (default 5).',
  // main.go: `if err != nil || burstMultiplier < 1 { burstMultiplier = defBurst }`.
  parse: (raw) => {
    const parsed = parseGoInt(raw.trim(), 'ignore');
    if (parsed.ok && parsed.value < 1) return refuse('ignore', `${quote(raw)} is below 1; the default ${defaultBurstMultiplier} applies`);
    return parsed;
  },
};

export const limitAllowlist: AnnotationDescriptor<readonly string[]> = {
  name: 'limit-allowlist', aliases: ['limit-whitelist'], group, scope: 'location', risk: 'Low', status: 'supported',
  difference: '', doc: 'Client CIDRs exempt from the limits (not counted).', parse: parseCidrList,
};

const rateDifference =
  'not yet: needs response pacing per connection (and proxy-buffering, which Sluice does not have); ignored';
export const limitRate = reported('limit-rate', group, 'location', 'Low', 'not-yet', rateDifference, 'Response bandwidth per request (KB/s).');
export const limitRateAfter = reported('limit-rate-after', group, 'location', 'Low', 'not-yet', rateDifference, 'Bytes sent before limit-rate applies.');

export const rateLimitDescriptors: readonly AnnotationDescriptor[] = [
  limitRps, limitRpm, limitConnections, limitBurstMultiplier, limitAllowlist, limitRate, limitRateAfter,
];

/** ValidateCIDRs: comma-separated CIDRs or addresses; any invalid entry is a validation error (rejects). */
export function parseCidrList(raw: string): Parsed<readonly string[]> {
  const entries = raw.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) return refuse('ignore', 'the value is empty');
  for (const entry of entries) {
    if (!isCidr(entry)) return refuse('reject', `${quote(entry)} is not a CIDR or IP address`);
  }
  return accept(Object.freeze(entries));
}

function isCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export function readRateLimit(source: AnnotationSource): RateLimitAnnotations | null {
  const rps = Math.max(0, source.get(limitRps) ?? 0);
  const rpm = Math.max(0, source.get(limitRpm) ?? 0);
  const connections = Math.max(0, source.get(limitConnections) ?? 0);
  const burstMultiplier = source.get(limitBurstMultiplier) ?? defaultBurstMultiplier;
  const allowlist = source.get(limitAllowlist) ?? [];
  if (rps === 0 && rpm === 0 && connections === 0) return null;
  return { rps, rpm, connections, burstMultiplier, allowlist };
}
