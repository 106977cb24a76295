import type { CompileOptions, Diagnostic, Ingress, IngressBackend, ObjectRef, PathType } from '../model/index.ts';
import { refOf } from '../model/index.ts';
import { readAnnotations, type IngressAnnotations } from './annotations/read-annotations.ts';
import { diagnose } from './diagnostics.ts';
import { joined } from './joined.ts';
import { checkHost, checkPath } from './validate.ts';

// First pass over one Ingress: read its annotations, validate hosts and paths, report what is invalid, and keep
// only what can be served. Invalid input never affects more than its own rule (bad host) or path (bad path) —
// except an annotation value ingress-nginx's validators refuse, which makes ingress-nginx skip the whole
// Ingress (annotations.go Extract), and so does Sluice.

export interface PreparedPath {
  /** `spec.rules[i].http.paths[j]`, the prefix of every diagnostic field about this path. */
  readonly field: string;
  /** As written; '' only for ImplementationSpecific (means '/'). */
  readonly path: string;
  readonly pathType: PathType;
  readonly backend: IngressBackend;
}

export interface PreparedRule {
  /** Lower-cased host, `*.suffix`, or '' for the catch-all server. */
  readonly host: string;
  readonly paths: readonly PreparedPath[];
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
    rules.push({ host, paths: preparePaths(ref, rule.paths, field, diagnostics) });
  });
  const tlsHosts = ingress.spec.tls.length === 0 ? noTlsHosts : new Set(ingress.spec.tls.flatMap((tls) => tls.hosts.map((host) => host.toLowerCase())));
  const { values: annotations, denied } = reading;
  return { ingress, ref, rules, hasRules: ingress.spec.rules.length > 0, annotations, denied, tlsHosts };
}

function preparePaths(
  ref: ObjectRef,
  paths: Ingress['spec']['rules'][number]['paths'],
  ruleField: string,
  diagnostics: Diagnostic[],
): PreparedPath[] {
  const prepared: PreparedPath[] = [];
  paths.forEach((path, pathIndex) => {
    const field = joined(ruleField, '.http.paths[', pathIndex, ']');
    const problem = checkPath(path.path, path.pathType);
    if (problem !== null) {
      const message = `${problem.message}; the path is skipped`;
      diagnostics.push(diagnose(ref, 'InvalidPath', `${field}.${problem.field}`, message));
      return;
    }
    prepared.push({ field, path: path.path, pathType: path.pathType, backend: path.backend });
  });
  return prepared;
}
