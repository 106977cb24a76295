import type { CompileOptions, Diagnostic, ObjectRef } from '../model/index.ts';
import { diagnose } from './diagnostics.ts';
import { matcherSpec, type MatchKind } from './path-match.ts';
import type { PreparedPath } from './prepare.ts';
import { literalPathRegex, pathRegex } from './regex/path-regex.ts';
import { describeHost, type ServerDraft } from './server-draft.ts';

// How one Ingress path is matched on its host: the spec kinds (path-match.ts) or a regex when the host is in
// regex mode. Also where paths that look like regexes but are not matched as regexes are reported.

export interface MatcherChoice {
  readonly kind: MatchKind;
  readonly match: string;
  readonly ruleLength: number;
  readonly pattern: RegExp | null;
  /** The regex a rewrite-target captures from (null on hosts outside regex mode), and its capture count. */
  readonly rewritePattern: RegExp | null;
  readonly groups: number;
}

/** ingress-nginx's strict-validate-path-type check (internal/ingress/inspector/rules.go), case-insensitive. */
const plainPath = /^\/[A-Za-z0-9._\-/]*$/;

/** null when the path cannot be served (reported as RegexUnsupported; the path is skipped). */
export function chooseMatcher(
  server: ServerDraft,
  ingress: ObjectRef,
  path: PreparedPath,
  options: CompileOptions,
  diagnostics: Diagnostic[],
): MatcherChoice | null {
  const effective = path.path === '' ? '/' : path.path;
  const asRegex = server.regex && (options.pathMatching === 'nginx' || path.pathType === 'ImplementationSpecific');
  if (path.pathType !== 'ImplementationSpecific' && !plainPath.test(effective)) {
    reportRegexLookalike(server, ingress, path, asRegex, diagnostics);
  }
  if (!asRegex) {
    const spec = matcherSpec(path.pathType, path.path);
    const rewritePattern = server.regex ? literalPathRegex(effective) : null;
    return { ...spec, pattern: null, rewritePattern, groups: 0 };
  }
  const compiled = pathRegex(effective);
  if (!compiled.ok) {
    const message =
      `path ${JSON.stringify(effective)} cannot be served as a regex (${describeHost(server.host)} is in regex mode): ` +
      `${compiled.why}; the path is skipped`;
    diagnostics.push(diagnose(ingress, 'RegexUnsupported', `${path.field}.path`, message));
    return null;
  }
  const regex = compiled.regex;
  return { kind: 'regex', match: effective, ruleLength: effective.length, pattern: regex, rewritePattern: regex, groups: compiled.groups };
}

/**
 * An Exact/Prefix path with characters outside ingress-nginx's strict check, like the origin story's
 * `/nginx(/|$)(.*)`: valid for Kubernetes, rejected by ingress-nginx since v1.12 (strict-validate-path-type), served
 * as a regex by older versions when the host is in regex mode. Sluice serves it as those older versions did and
 * says so.
 */
function reportRegexLookalike(
  server: ServerDraft,
  ingress: ObjectRef,
  path: PreparedPath,
  asRegex: boolean,
  diagnostics: Diagnostic[],
): void {
  const what = `path ${JSON.stringify(path.path)} has pathType ${path.pathType} but characters of a regex`;
  const how = asRegex
    ? `it is served as a regex because ${describeHost(server.host)} is in regex mode, as ingress-nginx did before ` +
      'v1.12 (v1.12+ rejects the Ingress: strict-validate-path-type)'
    : server.regex
      ? 'it is matched literally because of --path-matching=spec'
      : 'it is matched literally because the host is not in regex mode';
  const message = `${what}: ${how}; use pathType ImplementationSpecific for regex paths`;
  diagnostics.push(diagnose(ingress, 'RegexPathType', `${path.field}.path`, message));
}
