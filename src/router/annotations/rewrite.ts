// rewrite-target, use-regex and app-root (ingress-nginx internal/ingress/annotations/rewrite/main.go). Every
// problem in this group is a warning there: the parser logs it and keeps the default ("I" in reference §2.3).
import { accept, refuse, type AnnotationDescriptor, type Parsed } from './descriptor.ts';
import type { AnnotationSource } from './source.ts';
import { parseChecked, parseGoBool, pathWithCapture, quote } from './values.ts';

export interface RewriteTarget {
  /** As written (trimmed). ingress-nginx compares it with each path: a target equal to the path is no rewrite. */
  readonly raw: string;
  /** Literal text and capture numbers, in order. */
  readonly parts: readonly (string | number)[];
  /** Highest capture number used (0 when none). */
  readonly maxCapture: number;
  /** Starts with http:// or https://: nginx's `rewrite` then answers a 302 redirect. */
  readonly redirect: boolean;
}

export interface RewriteAnnotations {
  readonly target: RewriteTarget | null;
  readonly useRegex: boolean;
  readonly appRoot: string | null;
}

export const rewriteTarget: AnnotationDescriptor<RewriteTarget> = {
  name: 'rewrite-target', aliases: [], group: 'Rewrite', scope: 'ingress', risk: 'Medium', status: 'partial',
  difference:
    'nginx variables in the target ($host, $scheme, …) are not supported: the paths answer 503; a result without a ' +
    "leading '/' or starting with '//' is sent as a single-'/' path",
  doc: 'Path sent upstream, with $1…$9 from the path regex; puts every path of the host in regex mode.',
  parse: parseRewriteTarget,
};

export const useRegex: AnnotationDescriptor<boolean> = {
  name: 'use-regex', aliases: [], group: 'Rewrite', scope: 'location', risk: 'Low', status: 'supported',
  difference: '',
  doc: 'Every path of the host becomes a case-insensitive regex anchored at the start (host-wide, all Ingresses).',
  parse: (raw) => parseGoBool(raw, 'ignore'),
};

export const appRoot: AnnotationDescriptor<string> = {
  name: 'app-root', aliases: [], group: 'Rewrite', scope: 'location', risk: 'Medium', status: 'supported',
  difference: '',
  doc: "Requests for '/' on the host are answered 302 to this path.",
  parse: parseAppRoot,
};

function parseRewriteTarget(raw: string): Parsed<RewriteTarget> {
  const checked = parseChecked(raw, pathWithCapture, 'rewrite target', 'ignore');
  if (!checked.ok) return checked;
  const value = checked.value;
  const parts: (string | number)[] = [];
  let maxCapture = 0;
  let literal = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$') {
      literal += value[i];
      continue;
    }
    const digit = value[i + 1];
    if (digit === undefined || digit < '1' || digit > '9') {
      return refuse('deny', `${quote(value)} uses an nginx variable; only $1…$9 captures are supported`);
    }
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push(Number(digit));
    maxCapture = Math.max(maxCapture, Number(digit));
    i++;
  }
  if (literal !== '') parts.push(literal);
  // ngx_http_rewrite: a replacement starting with "http://" or "https://" (case-sensitive) is a redirect.
  const redirect = value.startsWith('http://') || value.startsWith('https://');
  return accept({ raw: value, parts, maxCapture, redirect });
}

function parseAppRoot(raw: string): Parsed<string> {
  const checked = parseChecked(raw, pathWithCapture, 'path', 'ignore');
  if (!checked.ok) return checked;
  // rewrite/main.go: url.ParseRequestURI must succeed and the result must not be absolute (no scheme).
  if (!checked.value.startsWith('/')) {
    return refuse('ignore', `${quote(checked.value)} must be a path starting with '/' (absolute URLs are refused)`);
  }
  if (checked.value.includes('$')) {
    return refuse('deny', `${quote(checked.value)} uses an nginx variable, which Sluice does not evaluate`);
  }
  return accept(checked.value);
}

export function readRewrite(source: AnnotationSource): RewriteAnnotations {
  return {
    target: source.get(rewriteTarget) ?? null,
    useRegex: source.get(useRegex) ?? false,
    appRoot: source.get(appRoot) ?? null,
  };
}
