// Every annotation Sluice knows: the implemented ones (one module per ingress-nginx parser group) and the catalogue
// of the rest. The README's compatibility table is generated from this list (compat-table.ts), and a test fails
// when the README differs from it.
import { catalogue } from './catalogue.ts';
import { customHttpErrors, defaultBackend } from './default-backend.ts';
import type { AnnotationDescriptor } from './descriptor.ts';
import {
  fromToWwwRedirect,
  permanentRedirect,
  permanentRedirectCode,
  relativeRedirects,
  temporalRedirect,
  temporalRedirectCode,
} from './redirect.ts';
import { proxyDescriptors } from './proxy.ts';
import { rateLimitDescriptors } from './rate-limit.ts';
import { appRoot, rewriteTarget, useRegex } from './rewrite.ts';
import { forceSslRedirect, preserveTrailingSlash, sslRedirect } from './ssl-redirect.ts';
import { upstreamVhost, xForwardedPrefix } from './upstream-headers.ts';

export const annotationRegistry: readonly AnnotationDescriptor[] = Object.freeze(
  [
    rewriteTarget, useRegex, appRoot, xForwardedPrefix, permanentRedirect, permanentRedirectCode, temporalRedirect,
    temporalRedirectCode, fromToWwwRedirect, relativeRedirects, sslRedirect, forceSslRedirect, preserveTrailingSlash,
    upstreamVhost, defaultBackend, customHttpErrors, ...proxyDescriptors, ...rateLimitDescriptors, ...catalogue,
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
);

const byName = new Map<string, AnnotationDescriptor>();
for (const descriptor of annotationRegistry) {
  for (const name of [descriptor.name, ...descriptor.aliases]) byName.set(name, descriptor);
}

/** The descriptor for a name without prefix (aliases included). */
export function findAnnotation(name: string): AnnotationDescriptor | undefined {
  return byName.get(name);
}

/** The known name closest to an unknown one, when it is close enough to be a typo (edit distance ≤ 2). */
export function suggestAnnotation(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of byName.keys()) {
    if (Math.abs(known.length - name.length) >= bestDistance) continue;
    const distance = editDistance(name, known);
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && known < best)) {
      best = known;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
