// The shape of one annotation in the registry. ingress-nginx describes each annotation with a validator, a risk,
// a scope and a doc line (internal/ingress/annotations/parser/main.go AnnotationConfig); Sluice adds what the
// compatibility table needs: whether it is supported, and how it differs.

export type SupportStatus = 'supported' | 'partial' | 'not-yet' | 'never';
export type AnnotationScope = 'ingress' | 'location';
/** ingress-nginx's risk levels (docs/user-guide/nginx-configuration/annotations-risk.md). */
export type AnnotationRisk = 'Low' | 'Medium' | 'High' | 'Critical';

/**
 * What happens to an Ingress whose value a parser refuses, in ingress-nginx's error classes
 * (internal/ingress/annotations/annotations.go Extract):
 * - reject: the parser returned a validation error → Extract fails → the whole Ingress is not served;
 * - deny: "location denied" → the Ingress's locations answer 503 (nginx.tmpl `return 503;`). Sluice also uses
 *   it for values ingress-nginx would act on but Sluice cannot reproduce safely;
 * - ignore: the parser logs a warning and keeps its default.
 */
export type Refusal = 'reject' | 'deny' | 'ignore';

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly refusal: Refusal; readonly why: string };

export interface AnnotationDescriptor<T = unknown> {
  /** Without the prefix, e.g. `rewrite-target`. */
  readonly name: string;
  /** Other names read when the main one is absent or empty (parser.checkAnnotation AnnotationAliases). */
  readonly aliases: readonly string[];
  /** ingress-nginx's parser group, for the compatibility table. */
  readonly group: string;
  readonly scope: AnnotationScope;
  readonly risk: AnnotationRisk;
  readonly status: SupportStatus;
  /** How Sluice's behaviour differs from ingress-nginx's ('' when it does not). */
  readonly difference: string;
  /** One line. */
  readonly doc: string;
  /** Raw value → typed value; null for annotations that are not implemented (not-yet, never). */
  readonly parse: ((raw: string) => Parsed<T>) | null;
}

export function accept<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function refuse<T>(refusal: Refusal, why: string): Parsed<T> {
  return { ok: false, refusal, why };
}

/** A descriptor for an annotation Sluice only reports (not implemented yet, or never). */
export function reported(
  name: string,
  group: string,
  scope: AnnotationScope,
  risk: AnnotationRisk,
  status: 'not-yet' | 'never',
  difference: string,
  doc: string,
  aliases: readonly string[] = [],
): AnnotationDescriptor<never> {
  return { name, aliases, group, scope, risk, status, difference, doc, parse: null };
}
