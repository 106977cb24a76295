import { compileBounded } from './engine.ts';
import { translatePcre } from './translate.ts';

export type PathRegex =
  | { readonly ok: true; readonly regex: RegExp; readonly groups: number }
  | { readonly ok: false; readonly why: string };

/** An Ingress path on a host in regex mode: nginx's `~* "^<path>"`, translated and bounded. */
export function pathRegex(path: string): PathRegex {
  const translation = translatePcre(path, true);
  if (!translation.ok) return translation;
  const compiled = compileBounded(translation.source);
  if (!compiled.ok) return compiled;
  return { ok: true, regex: compiled.regex, groups: translation.groups };
}

/**
 * The path as a literal, for rewrite-target on an Exact/Prefix path that --path-matching=spec keeps literal: the
 * rewrite then replaces the whole path, with no captures.
 */
export function literalPathRegex(path: string): RegExp {
  return new RegExp(`^${path.replace(/[\\^$.|?*+()[\]{}\/-]/g, '\\$&')}`);
}
