// rewrite-target at request time: nginx's `rewrite "(?i)<path>" <target> break;` (template.go buildProxyPass).
// The captures come from the normalised, decoded path (nginx's $uri); the result is re-escaped the way nginx's
// proxy module escapes a rewritten URI (ngx_escape_uri, NGX_ESCAPE_URI), and the original query string is kept.
import type { PathRewrite } from '../model/index.ts';
import { escapeUri } from '../router/escape-uri.ts';

/** The rewritten path (escaped, without query), from the normalised request path. */
export function rewritePath(rewrite: PathRewrite, normalizedPath: string): string {
  const match = rewrite.pattern.exec(normalizedPath);
  let out = '';
  for (const part of rewrite.parts) {
    // A capture the path regex does not have, or did not take part in the match, is '' (as nginx).
    out += typeof part === 'string' ? part : (match?.[part] ?? '');
  }
  return out;
}

/**
 * The request target sent upstream. Two deliberate safety steps nginx does not take: a result that does not start
 * with '/' gets one (nginx would send an invalid request line), and leading '//' collapse to '/' so the pod can
 * never read the rewritten target as the scheme-relative URL `//evil.com/…`.
 */
export function upstreamTarget(rewritten: string, originalTarget: string): string {
  let path = escapeUri(rewritten);
  if (path.charCodeAt(0) !== 0x2f) path = `/${path}`;
  if (path.charCodeAt(1) === 0x2f) path = `/${path.replace(/^\/+/, '')}`;
  const at = originalTarget.indexOf('?');
  // nginx re-appends $args when there are any ("?" alone is no arguments).
  return at === -1 || at === originalTarget.length - 1 ? path : `${path}${originalTarget.slice(at)}`;
}
