// permanent-redirect(-code), temporal-redirect(-code), from-to-www-redirect (ingress-nginx
// internal/ingress/annotations/redirect/redirect.go). Its Parse returns errors instead of warning, so an invalid
// value (charset, non-integer code, non-boolean) rejects the Ingress, while a URL whose scheme is not http(s) makes
// Extract skip the whole redirect group (from-to-www included). Temporal wins over permanent.
import { accept, refuse, reported, type AnnotationDescriptor, type Parsed } from './descriptor.ts';
import type { AnnotationSource } from './source.ts';
import { parseChecked, parseGoBool, parseGoInt, quote, urlChars } from './values.ts';

export interface RedirectAnnotations {
  /** '' when only from-to-www-redirect is set. */
  readonly url: string;
  readonly code: number;
  readonly fromToWww: boolean;
}

function urlDescriptor(name: string, code: number, doc: string): AnnotationDescriptor<string> {
  return {
    name, aliases: [], group: 'Redirect', scope: 'location', risk: 'Medium', status: 'supported', difference: '',
    doc: `${doc} (default code ${code}); the URL is sent verbatim, without the request path.`,
    parse: (raw) => parseChecked(raw, urlChars, 'URL'),
  };
}

function codeDescriptor(name: string, defaultCode: number, max: number): AnnotationDescriptor<number> {
  return {
    name, aliases: [], group: 'Redirect', scope: 'location', risk: 'Low', status: 'supported', difference: '',
    doc: `Status of the redirect: 300–${max}, anything else means ${defaultCode}.`,
    parse: (raw) => parseGoInt(raw, 'reject'),
  };
}

export const permanentRedirect = urlDescriptor('permanent-redirect', 301, 'Answer every request with a redirect to this URL');
export const permanentRedirectCode = codeDescriptor('permanent-redirect-code', 301, 308);
export const temporalRedirect = urlDescriptor('temporal-redirect', 302, 'Like permanent-redirect, and wins over it');
export const temporalRedirectCode = codeDescriptor('temporal-redirect-code', 302, 307);

export const fromToWwwRedirect: AnnotationDescriptor<boolean> = {
  name: 'from-to-www-redirect', aliases: [], group: 'Redirect', scope: 'location', risk: 'Low', status: 'partial',
  difference: 'the redirect never adds the HTTPS listener port; wildcard and hostless rules get no www server',
  doc: 'Requests for www.<host> (or <host> without www.) are answered 308 to the host the Ingress names.',
  parse: (raw) => parseGoBool(raw, 'reject'),
};

export const relativeRedirects = reported(
  'relative-redirects', 'Redirect', 'location', 'Low', 'not-yet', '',
  'Redirects issued by the proxy use a relative Location (nginx absolute_redirect off).',
);

export function readRedirect(source: AnnotationSource): RedirectAnnotations | null {
  const fromToWww = source.get(fromToWwwRedirect) ?? false;
  const temporal = source.get(temporalRedirect);
  if (temporal !== undefined) {
    const checked = httpUrl(temporal);
    if (!checked.ok) return skipGroup(source, temporalRedirect, checked.why);
    const code = source.get(temporalRedirectCode);
    return { url: temporal, code: inRange(code, 307) ? code : 302, fromToWww };
  }
  const permanent = source.get(permanentRedirect);
  const code = source.get(permanentRedirectCode);
  if (permanent !== undefined) {
    const checked = httpUrl(permanent);
    if (!checked.ok) return skipGroup(source, permanentRedirect, checked.why);
  }
  if (permanent === undefined && !fromToWww) return null;
  return { url: permanent ?? '', code: inRange(code, 308) ? code : 301, fromToWww };
}

function inRange(code: number | undefined, max: number): code is number {
  return code !== undefined && code >= 300 && code <= max;
}

/** redirect.go isValidURL: the scheme must start with "http". */
function httpUrl(url: string): Parsed<string> {
  const scheme = (/^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1] ?? '').toLowerCase(); // Go's url.Parse lower-cases it
  if (!scheme.startsWith('http')) return refuse('ignore', `${quote(url)} is not an http or https URL`);
  return accept(url);
}

function skipGroup(source: AnnotationSource, descriptor: AnnotationDescriptor, why: string): null {
  source.refuse(descriptor, 'ignore', `${why}; every redirect annotation of this Ingress is ignored, as ingress-nginx does`);
  return null;
}
