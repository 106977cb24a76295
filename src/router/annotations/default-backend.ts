// default-backend (internal/ingress/annotations/defaultbackend) and custom-http-errors (…/customhttperrors). Both
// parsers return their errors: an invalid value rejects the Ingress; a default-backend naming a missing Service
// is only a warning there (the error is not a validation error), resolved later in compile (route-features.ts).
import { accept, refuse, type AnnotationDescriptor, type Parsed } from './descriptor.ts';
import type { AnnotationSource } from './source.ts';
import { parseChecked, parseServiceName, quote } from './values.ts';

export interface BackendAnnotations {
  /** A Service name in the Ingress's namespace. */
  readonly defaultBackend: string | null;
  readonly customHttpErrors: readonly number[] | null;
}

/** customhttperrors/main.go arrayOfHTTPErrors: "anything between 400 and 599, comma separated". */
const httpErrorList = /^(?:[4,5]\d{2},?)*$/;

export const defaultBackend: AnnotationDescriptor<string> = {
  name: 'default-backend', aliases: [], group: 'DefaultBackend', scope: 'location', risk: 'Low', status: 'supported',
  difference: '',
  doc: "Service (same namespace, first port) that answers when the path's Service has no endpoints, and serves custom-http-errors.",
  parse: parseServiceName,
};

export const customHttpErrors: AnnotationDescriptor<readonly number[]> = {
  name: 'custom-http-errors', aliases: [], group: 'CustomHTTPErrors', scope: 'location', risk: 'Low', status: 'partial',
  difference: "the request body is not sent to the error backend; without default-backend the answer is Sluice's 404",
  doc: 'Upstream answers with these codes are replaced by the default backend\'s answer (X-Code, X-Original-URI, … headers).',
  parse: parseHttpErrors,
};

function parseHttpErrors(raw: string): Parsed<readonly number[]> {
  const checked = parseChecked(raw, httpErrorList, 'list of 4xx/5xx codes', 'reject', true);
  if (!checked.ok) return checked;
  // The parser splits the (unstripped) value and strconv.Atoi's each part: " 503" or a trailing comma fail there,
  // with an error Extract ignores.
  const codes: number[] = [];
  for (const part of checked.value.split(',')) {
    if (!/^\d+$/.test(part)) return refuse('ignore', `${quote(checked.value)}: ${quote(part)} is not a status code`);
    codes.push(Number(part));
  }
  return accept(codes);
}

export function readBackends(source: AnnotationSource): BackendAnnotations {
  return {
    defaultBackend: source.get(defaultBackend) ?? null,
    customHttpErrors: source.get(customHttpErrors) ?? null,
  };
}
