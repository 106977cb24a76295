// The proxy group of ingress-nginx (internal/ingress/annotations/proxy/main.go) as far as Sluice implements it:
// proxy-body-size (nginx's client_max_body_size for the Ingress's locations) and the proxy-*-timeout annotations
// (proxy_connect_timeout, proxy_read_timeout, proxy_send_timeout). Every one falls back to the ConfigMap's value when absent or bad:
// main.go's Parse never returns an error, it replaces a value its validator refuses by the default backend's
// (`config.ReadTimeout, err = parser.GetIntAnnotation(...); if err != nil { config.ReadTimeout =
// defBackend.ProxyReadTimeout }`) — so a bad value is ignored, never a rejection. Here null = the table's settings.
import { accept, refuse, type AnnotationDescriptor, type Parsed } from './descriptor.ts';
import type { AnnotationSource } from './source.ts';
import { parseGoInt, quote } from './values.ts';
import { maxTimeoutSeconds, parseSize } from '../settings/values.ts';

export interface ProxyAnnotations {
  /** Bytes; 0: no limit; null: the global proxy-body-size (ConfigMap / --proxy-body-size) applies. */
  readonly bodySize: number | null;
  /** Milliseconds; null: the global proxy-connect-timeout / proxy-read-timeout / proxy-send-timeout applies. */
  readonly connectTimeoutMs: number | null;
  readonly readTimeoutMs: number | null;
  readonly sendTimeoutMs: number | null;
}

export const proxyBodySize: AnnotationDescriptor<number> = {
  name: 'proxy-body-size', aliases: [], group: 'Proxy', scope: 'location', risk: 'Medium', status: 'supported',
  difference: '',
  doc: 'Largest request body (413 above; 0: no limit); the ConfigMap\'s proxy-body-size when absent.',
  parse: parseBodySize,
};

/** Values Atoi takes that Sluice does not use as nginx would: the same note on each timeout. */
const unusableSeconds =
  `0, a negative value or more than ${maxTimeoutSeconds} s is ignored (the global value applies); ingress-nginx ` +
  'writes it into nginx.conf as is: `0s` (no wait at all), or a negative time nginx refuses to load';

/** proxy-connect/read/send-timeout: ValidateInt, location scope, low risk; their value is parseTimeout's. */
function timeoutDescriptor(name: string, status: 'supported' | 'partial', difference: string, doc: string): AnnotationDescriptor<number> {
  return { name, aliases: [], group: 'Proxy', scope: 'location', risk: 'Low', status, difference, doc, parse: parseTimeout };
}

export const proxyConnectTimeout = timeoutDescriptor(
  'proxy-connect-timeout',
  'partial',
  'keep-alive connections to a pod are not shared between routes whose connect timeouts differ (each value has ' +
    'its own pools; nginx shares one cache and times each new connection by its location), so a route with its ' +
    'own value may open a connection where nginx would reuse one; ' + unusableSeconds,
  'Seconds allowed to connect to a pod (504, or the next endpoint for a request that may be retried), WebSocket ' +
    'handshakes included; the ConfigMap\'s proxy-connect-timeout when absent.',
);

export const proxyReadTimeout = timeoutDescriptor(
  'proxy-read-timeout',
  'supported',
  unusableSeconds,
  'Seconds allowed between two reads from the pod once the request is sent (504), and without a byte either way ' +
    'on a WebSocket (closed); the ConfigMap\'s proxy-read-timeout when absent.',
);

export const proxySendTimeout = timeoutDescriptor(
  'proxy-send-timeout',
  'partial',
  'WebSocket tunnels are bounded by proxy-read-timeout only (nginx also closes one whose writes to the pod stay ' +
    'blocked for proxy-send-timeout); bodies are streamed, so a client that stalls mid-upload is bounded by it too ' +
    '(504), where ingress-nginx, buffering the body first, answers 408 after client-body-timeout; ' + unusableSeconds,
  'Seconds allowed between two writes of the request the pod takes (a body it stops reading: 504); the ' +
    'ConfigMap\'s proxy-send-timeout when absent.',
);

function parseBodySize(raw: string): Parsed<number> {
  const parsed = parseSize(raw.replaceAll(' ', ''));
  return parsed.ok ? accept(parsed.value) : refuse('ignore', parsed.why);
}

/**
 * proxy-*-timeout: ValidateInt then GetIntAnnotation, both Go's strconv.Atoi on the raw value (no trimming), in
 * whole seconds; nginx.tmpl writes `proxy_read_timeout {{ $location.Proxy.ReadTimeout }}s;`. → milliseconds.
 */
function parseTimeout(raw: string): Parsed<number> {
  const parsed = parseGoInt(raw, 'ignore');
  if (!parsed.ok) return parsed;
  if (parsed.value < 1 || parsed.value > maxTimeoutSeconds) {
    return refuse('ignore', `${quote(raw)} is not a number of seconds from 1 to ${maxTimeoutSeconds}`);
  }
  return accept(parsed.value * 1000);
}

export const proxyDescriptors: readonly AnnotationDescriptor[] = [
  proxyBodySize, proxyConnectTimeout, proxyReadTimeout, proxySendTimeout,
];

export function readProxy(source: AnnotationSource): ProxyAnnotations {
  return {
    bodySize: source.get(proxyBodySize) ?? null,
    connectTimeoutMs: source.get(proxyConnectTimeout) ?? null,
    readTimeoutMs: source.get(proxyReadTimeout) ?? null,
    sendTimeoutMs: source.get(proxySendTimeout) ?? null,
  };
}
