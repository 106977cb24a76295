import type { Diagnostic, DiagnosticReason, ObjectRef, Severity } from '../model/index.ts';

// Severity is part of the reason's meaning, so it is fixed here rather than chosen at each call site:
// - Error: the object is invalid as written; the affected rule/path is skipped.
// - Warning: valid, but it does not do what the author most likely meant (503s, ignored or shadowed config).
// - Info: worth knowing, nothing is broken.
const defaultSeverity: Partial<Record<DiagnosticReason, Severity>> = {
  InvalidHost: 'Error',
  InvalidPath: 'Error',
  InvalidBackend: 'Error',
  ServiceNotFound: 'Warning', // often transient: the Service is applied after the Ingress
  ServicePortNotFound: 'Warning',
  UnsupportedBackend: 'Warning',
  PathConflict: 'Warning',
  DefaultBackendIgnored: 'Warning',
  AnnotationInvalid: 'Error',
  AnnotationIgnored: 'Warning',
  AnnotationDenied: 'Warning',
  AnnotationNotSupported: 'Warning',
  AnnotationNeverSupported: 'Warning',
  AnnotationUnknown: 'Info',
  RegexUnsupported: 'Error',
  RegexPathType: 'Warning',
  RewriteCaptureMissing: 'Warning',
};

export function diagnose(
  object: ObjectRef,
  reason: DiagnosticReason,
  field: string,
  message: string,
  severity: Severity = defaultSeverity[reason] ?? 'Warning',
): Diagnostic {
  return { severity, reason, object, field, message };
}

/**
 * Total order on diagnostics so the list is identical whatever order the objects arrived in. Field paths compare
 * with their indices numerically (`rules[2]` before `rules[10]`), which is how a reader scans an object.
 */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareStrings(a.object?.kind ?? '', b.object?.kind ?? '') ||
    compareStrings(a.object?.namespace ?? '', b.object?.namespace ?? '') ||
    compareStrings(a.object?.name ?? '', b.object?.name ?? '') ||
    compareStrings(fieldSortKey(a.field), fieldSortKey(b.field)) ||
    compareStrings(a.reason, b.reason) ||
    compareStrings(a.message, b.message)
  );
}

function fieldSortKey(field: string): string {
  return field.replace(/\d+/g, (digits) => digits.padStart(10, '0'));
}

/** Code-unit order, independent of locale (localeCompare is not stable across ICU versions). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
