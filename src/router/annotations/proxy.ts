// proxy-body-size (ingress-nginx internal/ingress/annotations/proxy, the one key of that group Sluice implements):
// nginx's client_max_body_size for the Ingress's locations. ingress-nginx validates it with SizeRegex after removing
// spaces and, on a bad value, logs and keeps the ConfigMap's proxy-body-size: here the table's settings apply.
import { accept, refuse, type AnnotationDescriptor, type Parsed } from './descriptor.ts';
import type { AnnotationSource } from './source.ts';
import { parseSize } from '../settings/values.ts';

export interface ProxyAnnotations {
  /** Bytes; 0: no limit; null: the global proxy-body-size (ConfigMap / --proxy-body-size) applies. */
  readonly bodySize: number | null;
}

export const proxyBodySize: AnnotationDescriptor<number> = {
  name: 'proxy-body-size', aliases: [], group: 'Proxy', scope: 'location', risk: 'Medium', status: 'supported',
  difference: '',
  doc: 'Largest request body (413 above; 0: no limit); the ConfigMap\'s proxy-body-size when absent.',
  parse: parseBodySize,
};

function parseBodySize(raw: string): Parsed<number> {
  const parsed = parseSize(raw.replaceAll(' ', ''));
  return parsed.ok ? accept(parsed.value) : refuse('ignore', parsed.why);
}

export function readProxy(source: AnnotationSource): ProxyAnnotations {
  return { bodySize: source.get(proxyBodySize) ?? null };
}
