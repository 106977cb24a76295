// upstream-vhost (internal/ingress/annotations/upstreamvhost) and x-forwarded-prefix (…/xforwardedprefix): headers
// sent upstream. Both parsers return their validation error, so an invalid value rejects the Ingress.
import { accept, refuse, type AnnotationDescriptor, type Parsed } from './descriptor.ts';
import type { AnnotationSource } from './source.ts';
import { basicChars, parseChecked, quote, serverNameChars } from './values.ts';

export interface UpstreamHeaderAnnotations {
  readonly upstreamVhost: string | null;
  readonly forwardedPrefix: string | null;
}

/** A literal host[:port]: the only upstream-vhost values Sluice sends (no nginx variables, no regex). */
const literalHost = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export const upstreamVhost: AnnotationDescriptor<string> = {
  name: 'upstream-vhost', aliases: [], group: 'UpstreamVhost', scope: 'location', risk: 'Low', status: 'partial',
  difference: 'only literal host[:port] values; nginx variables ($host, …) are not evaluated: the paths answer 503',
  doc: 'Host header sent upstream instead of the client\'s.',
  parse: parseUpstreamVhost,
};

export const xForwardedPrefix: AnnotationDescriptor<string> = {
  name: 'x-forwarded-prefix', aliases: [], group: 'XForwardedPrefix', scope: 'location', risk: 'Medium',
  status: 'supported', difference: '',
  doc: 'X-Forwarded-Prefix header sent upstream; only takes effect together with rewrite-target.',
  parse: (raw) => parseChecked(raw, basicChars, 'header value', 'reject', true),
};

function parseUpstreamVhost(raw: string): Parsed<string> {
  // ValidateServerName trims before matching.
  const checked = parseChecked(raw.trim(), serverNameChars, 'server name');
  if (!checked.ok) return checked;
  if (!literalHost.test(checked.value)) {
    return refuse('deny', `${quote(checked.value)} is not a literal host name; nginx variables and patterns are not supported`);
  }
  return accept(checked.value);
}

export function readUpstreamHeaders(source: AnnotationSource): UpstreamHeaderAnnotations {
  return {
    upstreamVhost: source.get(upstreamVhost) ?? null,
    forwardedPrefix: source.get(xForwardedPrefix) ?? null,
  };
}
