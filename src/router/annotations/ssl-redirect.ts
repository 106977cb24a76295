// ssl-redirect, force-ssl-redirect and preserve-trailing-slash (ingress-nginx rewrite/main.go parses them; the
// decision is lua_ingress.lua redirect_to_https). Invalid values are warnings there, the defaults apply.
import type { AnnotationDescriptor } from './descriptor.ts';
import type { AnnotationSource } from './source.ts';
import { parseGoBool } from './values.ts';

export interface SslRedirectAnnotations {
  /** Default true (ConfigMap ssl-redirect): redirect plain HTTP when the host has a TLS section. */
  readonly redirect: boolean;
  /** Redirect even without a TLS section (TLS terminated in front of Sluice). */
  readonly force: boolean;
  readonly preserveTrailingSlash: boolean;
}

export const sslRedirect: AnnotationDescriptor<boolean> = {
  name: 'ssl-redirect', aliases: [], group: 'Rewrite', scope: 'location', risk: 'Low', status: 'supported',
  difference: '',
  doc: 'Plain-HTTP requests to a host listed in spec.tls are answered 308 to https (default true).',
  parse: (raw) => parseGoBool(raw, 'ignore'),
};

export const forceSslRedirect: AnnotationDescriptor<boolean> = {
  name: 'force-ssl-redirect', aliases: [], group: 'Rewrite', scope: 'location', risk: 'Medium', status: 'partial',
  difference: 'X-Forwarded-Proto is not trusted (use-forwarded-headers is not supported yet)',
  doc: 'Redirect plain HTTP to https even when the host has no TLS section.',
  parse: (raw) => parseGoBool(raw, 'ignore'),
};

export const preserveTrailingSlash: AnnotationDescriptor<boolean> = {
  name: 'preserve-trailing-slash', aliases: [], group: 'Rewrite', scope: 'location', risk: 'Medium',
  status: 'supported', difference: '',
  doc: "Keep a trailing '/' in the https redirect (by default it is dropped).",
  parse: (raw) => parseGoBool(raw, 'ignore'),
};

export function readSslRedirect(source: AnnotationSource): SslRedirectAnnotations {
  return {
    redirect: source.get(sslRedirect) ?? true,
    force: source.get(forceSslRedirect) ?? false,
    preserveTrailingSlash: source.get(preserveTrailingSlash) ?? false,
  };
}
