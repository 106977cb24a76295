// Reads one Ingress's annotations under the configured prefix into typed values, reporting every problem with
// ingress-nginx's outcome for it (see descriptor.ts Refusal): the Ingress is rejected, denied (503), or the
// annotation is ignored. Pure; called once per Ingress per compile.
import type { Diagnostic, DiagnosticReason, Ingress, ObjectRef } from '../../model/index.ts';
import { refOf } from '../../model/index.ts';
import { diagnose } from '../diagnostics.ts';
import { readBackends, type BackendAnnotations } from './default-backend.ts';
import type { AnnotationDescriptor, Refusal } from './descriptor.ts';
import { readProxy, type ProxyAnnotations } from './proxy.ts';
import { readRateLimit, type RateLimitAnnotations } from './rate-limit.ts';
import { readRedirect, type RedirectAnnotations } from './redirect.ts';
import { findAnnotation, suggestAnnotation } from './registry.ts';
import { readRewrite, type RewriteAnnotations } from './rewrite.ts';
import type { AnnotationSource } from './source.ts';
import { readSslRedirect, type SslRedirectAnnotations } from './ssl-redirect.ts';
import { readUpstreamHeaders, type UpstreamHeaderAnnotations } from './upstream-headers.ts';

export interface IngressAnnotations {
  readonly rewrite: RewriteAnnotations;
  readonly redirect: RedirectAnnotations | null;
  readonly ssl: SslRedirectAnnotations;
  readonly headers: UpstreamHeaderAnnotations;
  readonly backends: BackendAnnotations;
  /** null when the Ingress sets no limit. */
  readonly rateLimit: RateLimitAnnotations | null;
  readonly proxy: ProxyAnnotations;
}

export interface AnnotationReading {
  readonly values: IngressAnnotations;
  /** A value failed ingress-nginx's validation: the Ingress is not served at all. */
  readonly rejected: boolean;
  /** Why the Ingress's paths answer 503 (ingress-nginx "location denied"); null when they do not. */
  readonly denied: string | null;
}

/**
 * Per prefix, the reading of an Ingress with no annotation under it: the same values for all of them, so one
 * object serves them all. Seven small objects an Ingress were ≈2.6 MB in each thread's heap with bench/'s
 * 10 000-Ingress table, which has no annotations.
 */
const unannotated = new Map<string, AnnotationReading>();

export function readAnnotations(ingress: Ingress, prefix: string, diagnostics: Diagnostic[]): AnnotationReading {
  const bare = !Object.keys(ingress.metadata.annotations).some((key) => key.startsWith(`${prefix}/`));
  const shared = bare ? unannotated.get(prefix) : undefined;
  if (shared !== undefined) return shared;
  const reported = diagnostics.length;
  const reading = read(ingress, prefix, diagnostics);
  // Only a reading that reported nothing is the same for every bare Ingress (a diagnostic names its Ingress).
  if (bare && diagnostics.length === reported && !reading.rejected && reading.denied === null) unannotated.set(prefix, reading);
  return reading;
}

function read(ingress: Ingress, prefix: string, diagnostics: Diagnostic[]): AnnotationReading {
  const reader = new Reader(refOf(ingress), ingress.metadata.annotations, prefix, diagnostics);
  reader.reportUnimplemented();
  const values: IngressAnnotations = {
    rewrite: readRewrite(reader),
    redirect: readRedirect(reader),
    ssl: readSslRedirect(reader),
    headers: readUpstreamHeaders(reader),
    backends: readBackends(reader),
    rateLimit: readRateLimit(reader),
    proxy: readProxy(reader),
  };
  return { values, rejected: reader.rejected, denied: reader.denied };
}

/** The annotation field path diagnostics name. */
export function annotationField(key: string): string {
  return `metadata.annotations['${key}']`;
}

const refusalReason: Readonly<Record<Refusal, DiagnosticReason>> = {
  reject: 'AnnotationInvalid',
  deny: 'AnnotationDenied',
  ignore: 'AnnotationIgnored',
};
const refusalOutcome: Readonly<Record<Refusal, string>> = {
  reject: 'ingress-nginx rejects an Ingress with an invalid annotation value, so this Ingress is not served',
  deny: "this Ingress's paths answer 503 (as ingress-nginx's \"location denied\")",
  ignore: 'ignored, the default applies',
};

class Reader implements AnnotationSource {
  rejected = false;
  denied: string | null = null;
  readonly #ref: ObjectRef;
  readonly #annotations: Readonly<Record<string, string>>;
  readonly #prefix: string;
  readonly #diagnostics: Diagnostic[];

  constructor(ref: ObjectRef, annotations: Readonly<Record<string, string>>, prefix: string, diagnostics: Diagnostic[]) {
    this.#ref = ref;
    this.#annotations = annotations;
    this.#prefix = `${prefix}/`;
    this.#diagnostics = diagnostics;
  }

  get<T>(descriptor: AnnotationDescriptor<T>): T | undefined {
    const found = this.#find(descriptor);
    if (found === undefined || descriptor.parse === null) return undefined;
    const parsed = descriptor.parse(found.raw);
    if (parsed.ok) return parsed.value;
    this.#record(found.key, descriptor.name, parsed.refusal, parsed.why);
    return undefined;
  }

  refuse(descriptor: AnnotationDescriptor, refusal: Refusal, why: string): void {
    const key = this.#find(descriptor)?.key ?? `${this.#prefix}${descriptor.name}`;
    this.#record(key, descriptor.name, refusal, why);
  }

  /** Unknown, not-yet and never annotations under the prefix. */
  reportUnimplemented(): void {
    for (const key of Object.keys(this.#annotations).sort()) {
      if (!key.startsWith(this.#prefix)) continue;
      const name = key.slice(this.#prefix.length);
      const descriptor = findAnnotation(name);
      if (descriptor === undefined) {
        const suggestion = suggestAnnotation(name);
        const hint = suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`;
        this.#report('AnnotationUnknown', key, `${JSON.stringify(name)} is not an ingress-nginx annotation${hint}; ignored`);
      } else if (descriptor.status === 'not-yet') {
        this.#report('AnnotationNotSupported', key, `${name} is not supported yet and is ignored`);
      } else if (descriptor.status === 'never') {
        this.#report('AnnotationNeverSupported', key, `${name} is never executed (raw nginx configuration); the Ingress is served without it`);
      }
    }
  }

  /** The key and value read for a descriptor: the main name, else the first alias with a non-empty value. */
  #find(descriptor: AnnotationDescriptor): { key: string; raw: string } | undefined {
    const main = `${this.#prefix}${descriptor.name}`;
    const value = this.#annotations[main];
    if (value !== undefined && value !== '') return { key: main, raw: value };
    for (const alias of descriptor.aliases) {
      const aliasValue = this.#annotations[`${this.#prefix}${alias}`];
      if (aliasValue !== undefined && aliasValue !== '') return { key: `${this.#prefix}${alias}`, raw: aliasValue };
    }
    return value === undefined ? undefined : { key: main, raw: value };
  }

  #record(key: string, name: string, refusal: Refusal, why: string): void {
    if (refusal === 'reject') this.rejected = true;
    if (refusal === 'deny') this.denied ??= `${name}: ${why}`;
    this.#report(refusalReason[refusal], key, `${name}: ${why}; ${refusalOutcome[refusal]}`);
  }

  #report(reason: DiagnosticReason, key: string, message: string): void {
    this.#diagnostics.push(diagnose(this.#ref, reason, annotationField(key), message));
  }
}
