import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { Composer, LineCounter, Parser } from 'yaml';
import type { Diagnostic, KubeObject, ObjectRef } from '../../model/index.ts';
import { formatRef, refOf } from '../../model/index.ts';
import { expandList, normalizeObject, type NormalizeOptions } from '../normalize/index.ts';

// One manifest file → its objects and diagnostics, given what the file held last time.
//
// "The last good objects keep serving" is read at two granularities:
// - a YAML syntax error anywhere fails the whole FILE: its previous objects are kept as they were, because a
//   broken document boundary can shift or swallow the documents after it, so nothing in the file is trusted;
// - an object that parses but fails validation fails only that OBJECT: the rest of the file is applied, and if
//   the file previously held a good version of the same kind/namespace/name, that version keeps serving.
//   An invalid object that cannot be identified (no kind or name) is dropped.

export interface FileObject {
  readonly object: KubeObject;
  /** 0-based YAML document index within the file. */
  readonly document: number;
}

export interface FileState {
  /**
   * The digest of the text the state was built from (textDigest); undefined while unreadable, so recovery always
   * re-parses. Not the text: bench/'s 10 000-Ingress manifest is one 6.3 MiB file, kept for nothing but this.
   */
  readonly digest: string | undefined;
  readonly objects: readonly FileObject[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Aliases expand on conversion; cap them so a small "billion laughs" file cannot exhaust memory. */
const maxAliasCount = 100;

type Parsed = { values: unknown[] } | { errors: Diagnostic[] };

export function parseManifestFile(
  file: string,
  text: string,
  previous: FileState | undefined,
  logger: Logger,
  options: NormalizeOptions = {},
  /** textDigest(text), when the caller has it already (it hashed the text to compare it with `previous`). */
  digest = textDigest(text),
): FileState {
  const parsed = parseDocuments(file, text);
  if ('errors' in parsed) return { digest, objects: previous?.objects ?? [], diagnostics: parsed.errors };
  const objects: FileObject[] = [];
  const diagnostics: Diagnostic[] = [];
  parsed.values.forEach((value, document) => {
    // `---` at the end or between comments yields an empty document: not an error, nothing to read.
    if (value === null || value === undefined) return;
    for (const item of expandList(value)) {
      const result = normalizeObject(item.raw, options);
      if ('object' in result) {
        objects.push({ object: result.object, document });
      } else if ('ignored' in result) {
        logger.debug({ file, document, kind: result.ignored }, 'manifest: ignoring object of a kind Sluice does not read');
      } else {
        const kept = result.ref && previous?.objects.find((o) => sameRef(refOf(o.object), result.ref as ObjectRef));
        if (kept) objects.push({ object: kept.object, document });
        diagnostics.push(invalidObject(file, document, item.field, result, kept !== undefined));
      }
    }
  });
  return { digest, objects, diagnostics };
}

/** What FileState keeps of a file's text to tell "the same text again" (SHA-256: ≈10 ms for 6.3 MiB). */
export function textDigest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}

function parseDocuments(file: string, text: string): Parsed {
  // One copy of each distinct scalar in the file (ownStrings).
  const strings = new Map<string, string>();
  const lineCounter = new LineCounter();
  const errors: Diagnostic[] = [];
  const values: unknown[] = [];
  // What yaml's parseAllDocuments does, one document at a time: each document's syntax tree is converted and
  // dropped before the next is composed, instead of all of them being held at once (bench/'s 6.3 MiB manifest
  // of 10 000 Ingresses: RSS after the load 396 → 250–255 MiB). Errors are not prettified: the pretty form quotes
  // the offending source line, which may be Secret material.
  let document = 0;
  for (const doc of new Composer().compose(new Parser(lineCounter.addNewLine).parse(text))) {
    const first = doc.errors[0];
    if (first !== undefined) {
      const { line, col } = lineCounter.linePos(first.pos[0]);
      errors.push(parseError(file, document, `${first.message} (line ${line}, column ${col})`));
    } else {
      try {
        values.push(ownStrings(doc.toJS({ maxAliasCount }), strings));
      } catch (err: unknown) {
        errors.push(parseError(file, document, err instanceof Error ? err.message : String(err)));
      }
    }
    document++;
  }
  return errors.length > 0 ? { errors } : { values };
}

/**
 * A scalar of 13 characters or more that yaml read is a V8 "sliced string": a view into the whole file's text,
 * which it keeps alive for as long as the value lives (a host name kept in the snapshot kept the 6.3 MiB manifest
 * of bench/'s 10 000 Ingresses in the primary's heap). Joining two parts makes a string of its own: a plain copy
 * (`slice()`, `concat`, a join with '') gives back the same view. Shorter strings are always copies. Done in place
 * on what toJS made (plain objects and arrays, nothing shared), not with toJS's reviver, which keeps a returned
 * value only if it differs from the old one by `!==`, and a copy of a string does not. `seen`: an alias makes one
 * object appear twice, or inside itself.
 *
 * And one copy per distinct value in the file (`strings`): yaml makes a new string for every scalar, so the 10k
 * table's primary held 10 000 copies each of "Prefix", "Exact", its namespace and its paths (≈1.3 MB).
 */
function ownStrings(value: unknown, strings: Map<string, string>, seen = new Set<object>()): unknown {
  if (typeof value === 'string') {
    const known = strings.get(value);
    if (known !== undefined) return known;
    const own = value.length >= 13 ? [value.slice(0, 1), value.slice(1)].join('') : value;
    strings.set(own, own);
    return own;
  }
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = ownStrings(record[key], strings, seen);
  return value;
}

function parseError(file: string, document: number, detail: string): Diagnostic {
  return {
    severity: 'Error',
    reason: 'ManifestParseError',
    field: '',
    source: { file, document },
    message: `YAML document ${document}: ${detail}; the file's last good objects keep serving`,
  };
}

function invalidObject(
  file: string,
  document: number,
  itemField: string,
  result: { error: string; field: string; ref?: ObjectRef },
  kept: boolean,
): Diagnostic {
  // Inside a List the field is prefixed with the item's position: `items[2].spec.rules[0].host`.
  const field = [itemField, result.field].filter((f) => f !== '').join('.');
  const prefix = itemField === '' ? '' : result.field === '' ? `${itemField}: ` : `${itemField}.`;
  const subject = result.ref ? `${formatRef(result.ref)}: ` : '';
  const outcome = kept ? '; its last good version keeps serving' : '; the object is skipped';
  return {
    severity: 'Error',
    reason: 'InvalidObject',
    ...(result.ref && { object: result.ref }),
    field,
    source: { file, document },
    message: `${subject}${prefix}${result.error}${outcome}`,
  };
}

function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}
