import type { CompileOptions, Diagnostic, HTTPIngressPath, Ingress, IngressBackend, ObjectRef, PathType } from '../model/index.ts';
import { compactList, refOf } from '../model/index.ts';
import { readAnnotations, type IngressAnnotations } from './annotations/read-annotations.ts';
import { diagnose } from './diagnostics.ts';
import { joined } from './joined.ts';
import { checkHost, checkPath } from './validate.ts';

// First pass over one Ingress: read its annotations, validate hosts and paths, report what is invalid, and keep
// only what can be served. Invalid input never affects more than its own rule (bad host) or path (bad path) —
// except an annotation value ingress-nginx's validators refuse, which makes ingress-nginx skip the whole
// Ingress (annotations.go Extract), and so does Sluice.

/**
 * One path while its host compiles (path-routes.ts makes it from a PreparedRule's path, and drops it after): what
 * the Ingress wrote, and where, for diagnostics.
 */
export interface PreparedPath {
  /** `spec.rules[i].http.paths[j]`, the prefix of every diagnostic field about this path. */
  readonly field: string;
  /** As written; '' only for ImplementationSpecific (means '/'). */
  readonly path: string;
  readonly pathType: PathType;
  readonly backend: IngressBackend;
}

/**
 * Kept by the compile cache for every unchanged Ingress (ingress-set.ts), so it holds the Ingress's own path
 * objects, not copies: `paths` is the spec's array itself when every path is valid, and the field path of a
 * diagnostic is worked out when a host compiles (pathField). With bench/'s 10 000-Ingress table (20 000 paths) a
 * copy per path and its `spec.rules[i].http.paths[j]` string were ≈2.5 MB per thread, in the primary and in each
 * worker.
 */
export interface PreparedRule {
  /** Lower-cased host, `*.suffix`, or '' for the catch-all server. */
  readonly host: string;
  /** Its position in spec.rules. */
  readonly index: number;
  /** The rule's valid paths, in spec order. */
  readonly paths: readonly HTTPIngressPath[];
}

export interface PreparedIngress {
  readonly ingress: Ingress;
  readonly ref: ObjectRef;
  /** Rules whose host is valid, in spec order. */
  readonly rules: readonly PreparedRule[];
  /** `spec.rules` is non-empty as written: decides whether spec.defaultBackend is the catch-all (ingress-nginx). */
  readonly hasRules: boolean;
  readonly annotations: IngressAnnotations;
  /** Why every path of this Ingress answers 503 (an annotation ingress-nginx would deny); null normally. */
  readonly denied: string | null;
  /** spec.tls[].hosts, lower-cased: a host listed here "has TLS" for ssl-redirect. */
  readonly tlsHosts: ReadonlySet<string>;
}

/** Shared by every Ingress without spec.tls: an empty Set is ≈230 bytes, 2.3 MB per thread with bench/'s 10 000 Ingresses. */
const noTlsHosts: ReadonlySet<string> = new Set();

/** null when an annotation value makes ingress-nginx reject the Ingress (reported by readAnnotations). */
export function prepareIngress(ingress: Ingress, options: CompileOptions, diagnostics: Diagnostic[]): PreparedIngress | null {
  const reading = readAnnotations(ingress, options.annotationsPrefix, diagnostics);
  if (reading.rejected) return null;
  const ref = refOf(ingress);
  const rules: PreparedRule[] = [];
  ingress.spec.rules.forEach((rule, ruleIndex) => {
    const field = joined('spec.rules[', ruleIndex, ']');
    let host = '';
    if (rule.host !== '') {
      const checked = checkHost(rule.host);
      if (!checked.ok) {
        diagnostics.push(diagnose(ref, 'InvalidHost', `${field}.host`, `${checked.message}; the rule is skipped`));
        return;
      }
      host = checked.host;
    }
    rules.push({ host, index: ruleIndex, paths: preparePaths(ref, rule.paths, field, diagnostics) });
  });
  const tlsHosts = ingress.spec.tls.length === 0 ? noTlsHosts : new Set(ingress.spec.tls.flatMap((tls) => tls.hosts.map((host) => host.toLowerCase())));
  const { values: annotations, denied } = reading;
  return { ingress, ref, rules: compactList(rules), hasRules: ingress.spec.rules.length > 0, annotations, denied, tlsHosts };
}

function preparePaths(
  ref: ObjectRef,
  paths: Ingress['spec']['rules'][number]['paths'],
  ruleField: string,
  diagnostics: Diagnostic[],
): readonly HTTPIngressPath[] {
  const valid = paths.filter((path, pathIndex) => {
    const problem = checkPath(path.path, path.pathType);
    if (problem === null) return true;
    const message = `${problem.message}; the path is skipped`;
    diagnostics.push(diagnose(ref, 'InvalidPath', `${ruleField}.http.paths[${pathIndex}].${problem.field}`, message));
    return false;
  });
  return valid.length === paths.length ? paths : valid;
}

/** The path at `position` in `rule.paths` as a compile-time PreparedPath, with its field path in the spec. */
export function preparedPath(prepared: PreparedIngress, rule: PreparedRule, position: number): PreparedPath {
  const path = rule.paths[position]!;
  const written = prepared.ingress.spec.rules[rule.index]!.paths;
  // Only a rule that lost an invalid path has its own list; then the path's index is its place in the spec's.
  const pathIndex = written === rule.paths ? position : written.indexOf(path);
  const field = `spec.rules[${rule.index}].http.paths[${pathIndex}]`;
  return { field, path: path.path, pathType: path.pathType, backend: path.backend };
}
